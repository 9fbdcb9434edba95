import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_component(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["cache"] == "ok"
    assert body["broker"] == ("eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def _redis_cache(url):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_healthz_reports_a_stopped_redis_as_down(client, redis_server):
    with override_settings(
        CACHES=_redis_cache(redis_server.url), CELERY_BROKER_URL=redis_server.url, CELERY_TASK_ALWAYS_EAGER=False
    ):
        up = client.get("/healthz")
        assert up.status_code == 200, up.json()
        assert up.json()["cache"] == "ok" and up.json()["broker"] == "ok"

        redis_server.stop()
        down = client.get("/healthz")
        assert down.status_code == 503
        body = down.json()
        assert body["status"] == "down"
        assert set(body["down"]) == {"cache", "broker"}
        assert body["database"] == "ok"
