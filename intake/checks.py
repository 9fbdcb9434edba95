from django.conf import settings
from django.core.checks import Error, register


@register()
def captcha_test_mode_off_in_production(app_configs, **kwargs):
    """intake.E001: the test mode of the forms' proof of work (passed without solving) only with DEBUG on."""
    if getattr(settings, "CAPTCHA_TEST_MODE", False) and not settings.DEBUG:
        return [
            Error(
                "CAPTCHA_TEST_MODE is on while DEBUG is off: the forms' spam challenge would accept anyone.",
                hint="Unset CAPTCHA_TEST_MODE in production; it is for automated tests only.",
                id="intake.E001",
            )
        ]
    return []
