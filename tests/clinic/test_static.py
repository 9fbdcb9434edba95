"""collectstatic gathers the files the site serves, not all of Bootstrap's dist folder."""

from django.contrib.staticfiles import finders

from clinic.staticfinders import VendorFinder


def test_only_the_linked_bootstrap_files_and_their_maps_are_found():
    vendor = sorted(
        f"{storage.prefix}/{path}"
        for path, storage in VendorFinder().list([])
        if storage.prefix.startswith("vendor/bootstrap")
    )
    assert vendor == [
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/css/bootstrap.min.css.map",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/bootstrap/js/bootstrap.bundle.min.js.map",
    ]
    assert finders.find("vendor/bootstrap/css/bootstrap.min.css")
    assert finders.find("vendor/bootstrap/css/bootstrap.css") is None
    assert finders.find("vendor/bootstrap/css/bootstrap-grid.min.css") is None


def test_the_altcha_widget_its_styles_and_its_worker_are_found_and_nothing_else_of_altcha():
    altcha = sorted(
        f"{storage.prefix}/{path}"
        for path, storage in VendorFinder().list([])
        if storage.prefix.startswith("vendor/altcha")
    )
    assert altcha == ["vendor/altcha/altcha.css", "vendor/altcha/altcha.min.js", "vendor/altcha/workers/sha.js"]
    assert finders.find("vendor/altcha/altcha.min.js")
    assert finders.find("vendor/altcha/workers/sha.js")
    assert finders.find("vendor/altcha/altcha.js") is None


def test_a_missing_vendor_file_fails_the_system_check(settings, tmp_path):
    settings.VENDOR_STATIC_FILES = {"vendor/x/x.css": tmp_path / "absent.css"}
    errors = VendorFinder().check()
    assert [error.id for error in errors] == ["clinic.E010"]
    assert "npm ci" in errors[0].msg
