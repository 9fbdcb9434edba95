"""Site-wide middleware: private pages are never stored by caches, and staff sessions are limited.

Their place in settings.MIDDLEWARE is explained there.
"""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

# URL namespaces whose pages hold personal or staff-only data: the intake forms and thank-you page,
# the e-newsletter's pages, admin, and the two-step sign-in pages.
NO_STORE_NAMESPACES = {"intake", "admin", "staff"}

SIGNED_IN_AT = "staff_signed_in_at"
LAST_SEEN_AT = "staff_last_seen_at"
# The last-seen time is written to the session at most this often (seconds), not on every request.
LAST_SEEN_RESOLUTION = 30


def client_ip(request) -> str:
    """The client's address, from the same header as the intake rate limit (django-axes uses it)."""
    return request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get("REMOTE_ADDR", "")


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response (settings.PERMISSIONS_POLICY): the site uses no camera,
    microphone, location or the like, so no page, nor anything injected into one, may ask for them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = ", ".join(
            f"{feature}=({' '.join(allow)})" for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` (and the rest of never_cache) on private pages.

    Keyed on the URL namespace rather than on paths, so a new view in intake or admin is covered.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and NO_STORE_NAMESPACES.intersection(match.namespaces):
            add_never_cache_headers(response)
        return response


class StaffSessionMiddleware:
    """Limits on a signed-in session (only staff sign in), and TOTP where it is required.

    - Idle logoff: no request for STAFF_IDLE_TIMEOUT_MINUTES signs the user out.
    - Absolute lifetime: STAFF_SESSION_MAX_AGE_HOURS after signing in, signed out whatever they do.
    - With OTP_REQUIRED_FOR_HEALTH_DATA on, anyone who can see patients' data (clinic.staff.
      sees_health_data) reaches admin only after entering a TOTP code in this session (sent to
      enrol an authenticator app first, with an administrator's link, if they have none).

    A signed-out admin request goes to the sign-in page with a notice and returns afterwards; a
    public page is simply served to the now anonymous visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self.check(request)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request):
        session = request.session
        now = time.time()
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None:
            session[SIGNED_IN_AT] = signed_in_at = now
        if last_seen_at is None:
            last_seen_at = now
        idle = settings.STAFF_IDLE_TIMEOUT_MINUTES * 60
        if now - last_seen_at > idle:
            return self.sign_out(
                request, f"You were signed out after {settings.STAFF_IDLE_TIMEOUT_MINUTES} minutes without activity."
            )
        if now - signed_in_at > settings.STAFF_SESSION_MAX_AGE_HOURS * 3600:
            return self.sign_out(
                request, f"You were signed out {settings.STAFF_SESSION_MAX_AGE_HOURS} hours after signing in."
            )
        if now - last_seen_at >= LAST_SEEN_RESOLUTION or LAST_SEEN_AT not in session:
            session[LAST_SEEN_AT] = now
        if settings.OTP_REQUIRED_FOR_HEALTH_DATA and self.needs_otp(request):
            if _has_confirmed_device(request.user):
                target = reverse("staff:two_factor_verify")
            else:
                target = reverse("staff:two_factor")
            return redirect(f"{target}?next={quote(request.get_full_path())}")
        return None

    def sign_out(self, request, notice: str):
        in_admin = _in_admin(request)
        logout(request)
        if not in_admin:
            return None
        messages.info(request, f"{notice} Please sign in again.")
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))

    def needs_otp(self, request) -> bool:
        if not _in_admin(request) or request.user.is_verified():
            return False
        exempt = (reverse("admin:login"), reverse("admin:logout"), reverse("staff:two_factor"))
        if request.path.startswith(exempt):
            return False
        from .staff import sees_health_data

        return sees_health_data(request.user)


def _in_admin(request) -> bool:
    return request.path.startswith(reverse("admin:index"))


def _has_confirmed_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)
