from django.test import override_settings

from intake.checks import captcha_test_mode_off_in_production


@override_settings(DEBUG=False, CAPTCHA_TEST_MODE=True)
def test_captcha_test_mode_with_debug_off_fails_the_system_check():
    errors = captcha_test_mode_off_in_production(None)
    assert [e.id for e in errors] == ["intake.E001"]


@override_settings(DEBUG=True, CAPTCHA_TEST_MODE=True)
def test_captcha_test_mode_is_allowed_in_development():
    assert captcha_test_mode_off_in_production(None) == []


@override_settings(DEBUG=False, CAPTCHA_TEST_MODE=False)
def test_production_without_test_mode_passes():
    assert captcha_test_mode_off_in_production(None) == []
