"""docker-compose.yml works as shipped: valid for Compose, and the operator's promises hold.

`docker compose config` checks it where a Docker CLI with the compose plugin exists; otherwise the
file is validated against the compose specification's JSON schema (check-jsonschema's built-in
copy). The assertions below check what the schema cannot: the one-shot migrate, the order of
start-up, no fixed host port on the production web service, health checks, and the volumes.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "web-local", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def docker_compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


def schema_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_compose_file_is_valid():
    if docker_compose_available():
        for profile in ("local", "production"):
            result = subprocess.run(
                ["docker", "compose", "-f", str(COMPOSE), "--profile", profile, "config", "--quiet"],
                capture_output=True,
                text=True,
                env={"PATH": "/usr/bin:/bin:/usr/local/bin", "SECRET_KEY": "x" * 50},
            )
            assert result.returncode == 0, result.stderr
    result = schema_check(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_mistake(tmp_path):
    broken = COMPOSE.read_text().replace("condition: service_completed_successfully", "condition: when_ready", 1)
    (tmp_path / "docker-compose.yml").write_text(broken)
    assert schema_check(tmp_path / "docker-compose.yml").returncode != 0


def test_web_worker_and_beat_wait_for_a_one_shot_migrate(compose):
    services = compose["services"]
    migrate = services["migrate"]
    assert "release.sh" in " ".join(migrate["command"]) and migrate["restart"] == "no"
    assert "migrate" not in migrate["depends_on"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy", name
        assert "release.sh" not in " ".join(services[name]["command"]), f"{name} does not migrate at start"


def test_production_web_has_no_host_port_and_sits_behind_the_proxy(compose):
    services = compose["services"]
    web, proxy = services["web"], services["proxy"]
    assert web["profiles"] == ["production"] and "ports" not in web, "several web containers share the proxy's port"
    assert web["environment"]["SECURE_SSL_REDIRECT"] == "1" and web["environment"]["SECURE_COOKIES"] == "1"
    assert proxy["profiles"] == ["production"]
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert (ROOT / "deploy" / "Caddyfile").is_file()
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_local_profile_serves_plain_http_on_localhost(compose):
    local = compose["services"]["web-local"]
    assert local["profiles"] == ["local"]
    assert local["ports"] == ["127.0.0.1:${PORT:-8000}:8000"]
    env = local["environment"]
    assert env["SECURE_SSL_REDIRECT"] == env["SECURE_COOKIES"] == env["SECURE_HSTS_SECONDS"] == "0"
    assert env["SITE_URL"].startswith("http://localhost")


def test_every_long_running_service_has_a_health_check(compose):
    services = compose["services"]
    for name in (*APP_SERVICES, "postgres", "redis", "proxy"):
        assert services[name]["healthcheck"]["test"], name
    assert services["beat"]["healthcheck"]["test"] == ["CMD", "python", "-m", "clinic.beat"]
    assert "/livez" in " ".join(services["web"]["healthcheck"]["test"])


def test_redis_keeps_an_append_only_file_on_a_volume(compose):
    redis = compose["services"]["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    assert redis["volumes"][0].split(":")[0] in compose["volumes"]


def test_emails_go_to_a_volume_the_image_user_can_write(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    for name in APP_SERVICES:
        service = compose["services"][name]
        path = service["environment"]["EMAIL_FILE_PATH"]
        assert f"mail:{path}" in service["volumes"], name
    assert "mail" in compose["volumes"]
    assert re.search(r"useradd [^\n]*--uid 10001 clinic[^\n]*mkdir -p [^\n]*/data/mail", dockerfile)
    assert "chown -R clinic /data" in dockerfile


def test_env_example_names_every_setting_the_compose_file_requires(compose):
    example = (ROOT / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    required = set(re.findall(r"\$\{([A-Z_]+):\?", COMPOSE.read_text()))
    assert required and required <= defined
    assert "COMPOSE_PROFILES" in defined
    assert ".env" in (ROOT / ".dockerignore").read_text().split(), "secrets stay out of the image"


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed")
def test_the_caddyfile_is_valid(tmp_path):
    result = subprocess.run(
        ["caddy", "validate", "--adapter", "caddyfile", "--config", str(ROOT / "deploy" / "Caddyfile")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "SITE_HOST": "clinic.example", "HOME": str(tmp_path)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
