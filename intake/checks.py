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


@register()
def field_encryption_keys_are_fernet_keys(app_configs, **kwargs):
    """intake.E002: every FIELD_ENCRYPTION_KEYS entry is a Fernet key (32 urlsafe-base64 bytes)."""
    from cryptography.fernet import Fernet

    errors = []
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key)
        except ValueError:
            errors.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS entry {position} is not a Fernet key.",
                    hint="Make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="intake.E002",
                )
            )
    return errors
