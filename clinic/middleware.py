"""Site-wide middleware: private pages are never stored by caches, and staff sessions are limited.

Their place in settings.MIDDLEWARE is explained there.
"""

import ipaddress
import time
from functools import cache
from urllib.parse import quote

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
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
    """The client's address (django-axes asks here): REMOTE_ADDR, which ClientAddressMiddleware has
    set to the true client address behind the trusted proxies."""
    return request.META.get("REMOTE_ADDR", "")


@cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def true_client_address(remote_addr: str, forwarded_for: str, trusted_proxies) -> str:
    """The client's address: the rightmost hop not one of `trusted_proxies` (addresses or networks),
    reading X-Forwarded-For from the connecting peer leftwards. Each trusted proxy appends the
    address it received the request from, so anything to the left of the first untrusted hop was
    written by the client and proves nothing. A peer that is not a trusted proxy is the client."""
    networks = _trusted_networks(tuple(trusted_proxies))
    if not networks or not _trusted(remote_addr, networks):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr  # garbage where an address should be: keep the proxy's
    return hops[0] if hops else remote_addr


class ClientAddressMiddleware:
    """REMOTE_ADDR set to the true client address behind settings.TRUSTED_PROXIES, first of all, so
    the audit trail, the sign-in lockout and the rate limits all see the same, unforgeable address.
    The connecting peer's own address is kept in META["PROXY_ADDR"]."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        client = true_client_address(peer, meta.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXIES)
        if client != peer:
            meta["PROXY_ADDR"], meta["REMOTE_ADDR"] = peer, client
        return self.get_response(request)


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware, recording REMOTE_ADDR (the true client address) instead of the
    first X-Forwarded-For value, which the client writes itself."""

    @staticmethod
    def _get_remote_addr(request):
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return request.META.get("REMOTE_ADDR")


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
