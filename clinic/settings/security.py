"""Security headers and cookies, staff sign-in and the second factor, and monitoring."""

from datetime import timedelta

from csp.constants import NONE, SELF

from .core import *  # noqa: F403 (env, DEBUG, paths and the data stores these settings build on)

# --- Security ----------------------------------------------------------------------------------
# Production defaults whenever DEBUG is off; `python manage.py check --deploy` passes with them
# (tests/clinic/test_security.py). Plain-HTTP use on 127.0.0.1 (`make serve`, the stack test, the
# test suite) turns off the redirect and the Secure cookies with SECURE_SSL_REDIRECT=0 and
# SECURE_COOKIES=0.

USE_X_FORWARDED_HOST = False
# The TLS-terminating proxy in front says the original scheme in this header. It must set (not
# pass on) the header; empty turns it off.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer probes /healthz and /livez, and Prometheus scrapes /metrics, over plain HTTP inside
# the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a one-way decision for whoever owns the domain (it covers every subdomain, for
# months), so it is off until they choose it; until then the check that asks for it is silenced.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
# Permissions-Policy (clinic.middleware.PermissionsPolicyMiddleware): features no page of the site
# uses, refused to every page and frame. A feature maps to the origins allowed it ("self"); empty: none.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen",
        "geolocation", "gyroscope", "hid", "magnetometer", "microphone", "midi", "payment",
        "picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
        "web-share", "xr-spatial-tracking",
    )
}  # fmt: skip
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="same-origin")
X_FRAME_OPTIONS = "DENY"

# Secure cookies with the __Host- prefix: sent over HTTPS only, for this host only (no Domain), for
# the whole path. Browsers refuse a __Host- cookie without Secure, so the prefix goes with it.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # nothing of ours reads it from JavaScript; forms carry the token

# Content-Security-Policy (django-csp): everything from this site only, no inline script or
# style, no plugins, no framing. No nonce: public pages are cached whole and served to everyone.
# data: images are Bootstrap's inline SVG icons (select arrows, close buttons, the menu icon).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if SECURE_SSL_REDIRECT:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True


# --- Staff sign-in -----------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username and address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: after AXES_FAILURE_LIMIT failed sign-ins for one username from one address, that
# pair is refused (429 and a page saying when to try again) for AXES_COOLOFF_MINUTES. Every attempt is
# recorded: successes and sign-outs in "Access logs", failures in "Access failures" (admin, Axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "clinic.staff.lockout_response"  # templates/clinic/lockout.html, 429
# The client's address behind TRUSTED_PROXIES (clinic.middleware.ClientAddressMiddleware).
AXES_CLIENT_IP_CALLABLE = "clinic.middleware.client_ip"
# Also per address, whatever the usernames: AXES_ADDRESS_FAILURE_LIMIT failed sign-ins from one
# address lock it for the cool-off (clinic.staff.AddressAwareAxesHandler), so trying a password on
# many usernames from one address stops too.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=12)
AXES_HANDLER = "clinic.staff.AddressAwareAxesHandler"

# Signed-in staff are signed out after this long without a request, and this long after signing
# in whatever they do (clinic.middleware.StaffSessionMiddleware).
STAFF_IDLE_TIMEOUT_MINUTES = env.int("STAFF_IDLE_TIMEOUT_MINUTES", default=15)
STAFF_SESSION_MAX_AGE_HOURS = env.int("STAFF_SESSION_MAX_AGE_HOURS", default=12)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_AGE_HOURS * 3600

# TOTP second factor (django-otp), at /admin/two-factor/. With OTP_REQUIRED_FOR_HEALTH_DATA on,
# everyone who can see patients' data (any permission on inquiries, directly, through a group, or
# as a superuser) reaches admin only after entering a code from it in this session. Enrolling an
# app takes a one-time link from an administrator, valid OTP_ENROLMENT_LINK_HOURS (clinic/staff.py).
# OTP_REQUIRED_FOR_TRIAGE is the setting's former name, still read when the new one is unset.
OTP_REQUIRED_FOR_HEALTH_DATA = env.bool(
    "OTP_REQUIRED_FOR_HEALTH_DATA", default=env.bool("OTP_REQUIRED_FOR_TRIAGE", default=False)
)
OTP_ENROLMENT_LINK_HOURS = env.int("OTP_ENROLMENT_LINK_HOURS", default=24)
OTP_TOTP_ISSUER = "Caring Medical"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


# --- Monitoring (docs/operations.md) -----------------------------------------------------------

# /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, the page is a 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Exceptions to Sentry, scrubbed of patient data (clinic/sentry.py); off unless SENTRY_DSN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from clinic import sentry

    sentry.init(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        release=env.str("SENTRY_RELEASE", default=""),
    )
