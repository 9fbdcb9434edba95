"""Two-step sign-in for staff (django-otp, TOTP): enrol an authenticator app, enter its code.

Optional for staff who cannot see patients' data; with OTP_REQUIRED_FOR_HEALTH_DATA on, required of
everyone who can (any permission on inquiries, directly, through a group, or as a superuser), whom
clinic.middleware.StaffSessionMiddleware sends here before admin.

Enrolling an app takes a one-time link made by an administrator (`manage.py otp_enrolment_link
USERNAME`, or the "Make two-step enrolment links" action on users in admin), not the password alone:
someone who has only learnt a password cannot add their own phone. The link is signed, expires after
OTP_ENROLMENT_LINK_HOURS, works for that account only, and is spent once the app is confirmed (a new
link voids the previous one). A lost phone: an administrator deletes the member's device in admin
(OTP_TOTP, TOTP devices) and makes a new link.
"""

import base64
from datetime import timedelta

import segno
from axes.handlers.database import AxesDatabaseHandler
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.models import Permission
from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_DEVICE_NAME = "Authenticator app"
ENROLMENT_SALT = "clinic.staff.enrolment-link"
# The unconfirmed device this session may enrol, set by a valid enrolment link.
ENROLMENT_SESSION_KEY = "staff_enrolment_device"


def health_data_permissions() -> set[str]:
    """Every permission on inquiries (intake.Inquiry): each one shows patients' answers or pictures."""
    from intake.models import Inquiry

    opts = Inquiry._meta
    return {f"{opts.app_label}.{codename}" for codename in Permission.objects.filter(
        content_type__app_label=opts.app_label, content_type__model=opts.model_name
    ).values_list("codename", flat=True)}  # fmt: skip


def sees_health_data(user) -> bool:
    """The user may see patients' data in admin: a superuser, or any permission on inquiries."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or bool(user.get_all_permissions() & health_data_permissions())


def second_factor_required(user) -> bool:
    return settings.OTP_REQUIRED_FOR_HEALTH_DATA and sees_health_data(user)


def make_enrolment_link(user) -> str:
    """A new unconfirmed authenticator device for `user` and the one-time link that enrols it.
    Any earlier link is void: its unconfirmed device is deleted."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    token = signing.TimestampSigner(salt=ENROLMENT_SALT).sign_object({"user": user.pk, "device": device.pk})
    return settings.SITE_URL + reverse("staff:enrol", args=[token])


def device_for_link(token: str, user) -> TOTPDevice | None:
    """The unconfirmed device a link made for `user` enrols, or None (tampered, expired, another
    account's, replaced by a newer link, or already used)."""
    try:
        data = signing.TimestampSigner(salt=ENROLMENT_SALT).unsign_object(
            token, max_age=timedelta(hours=settings.OTP_ENROLMENT_LINK_HOURS)
        )
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(data, dict) or data.get("user") != user.pk:
        return None
    return TOTPDevice.objects.filter(pk=data.get("device"), user=user, confirmed=False).first()


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Six-digit code from your authenticator app",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].replace(" ", "")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _mismatch(*devices) -> str:
    # django-otp doubles the wait after each wrong code (and refuses any code meanwhile), so
    # guessing gets nowhere; say so, or a member retyping a right code would be puzzled.
    if any(not device.verify_is_allowed()[0] for device in devices):
        return "Too many wrong codes in a row. Wait a few seconds, then type the newest code."
    return "That code does not match. Check the time on your phone and type the newest code."


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), "next": _next_url(request), **extra}


def _ask_for_a_link(request, *, invalid_link: bool):
    """403: enrolling needs a (valid) one-time link from an administrator."""
    context = _context(request, title="Turn on two-step sign-in", invalid_link=invalid_link)
    return render(request, "clinic/two_factor_link.html", context, status=403)


@never_cache
@staff_member_required
def two_factor(request):
    """The member's two-step sign-in: enrol an authenticator app, or see that it is on."""
    user = request.user
    if any(devices_for_user(user, confirmed=True)):
        if not user.is_verified():
            return redirect(f"{reverse('staff:two_factor_verify')}?next={_next_url(request)}")
        return render(request, "clinic/two_factor_on.html", _context(request, title="Two-step sign-in"))

    # Only the device an administrator's enrolment link opened in this session.
    device = TOTPDevice.objects.filter(
        pk=request.session.get(ENROLMENT_SESSION_KEY), user=user, confirmed=False
    ).first()
    if device is None:
        return _ask_for_a_link(request, invalid_link=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = not device.verify_is_allowed()[0]
        with transaction.atomic():
            if device.verify_token(form.cleaned_data["code"]):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop(ENROLMENT_SESSION_KEY, None)
                otp_login(request, device)
                messages.success(request, "Two-step sign-in is on: you will be asked for a code when you sign in.")
                return redirect(_next_url(request))
        form.add_error("code", _mismatch(device) if throttled else _mismatch())
    # An image (data: URI), so the page needs no inline markup beyond it; the key for typing in.
    qr_data_uri = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4, light="#fff")
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "clinic/two_factor_setup.html",
        _context(
            request,
            title="Turn on two-step sign-in",
            form=form,
            qr_data_uri=qr_data_uri,
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        ),
    )


@never_cache
@staff_member_required
def enrol(request, token: str):
    """An administrator's one-time enrolment link: opens enrolment of its device in this session."""
    device = device_for_link(token, request.user)
    if device is None:
        return _ask_for_a_link(request, invalid_link=True)
    request.session[ENROLMENT_SESSION_KEY] = device.pk
    return redirect(f"{reverse('staff:two_factor')}?next={_next_url(request)}")


@never_cache
@staff_member_required
def two_factor_verify(request):
    """Ask a member with an enrolled app for a current code; on success this session is verified."""
    if not any(devices_for_user(request.user, confirmed=True)):
        return redirect(f"{reverse('staff:two_factor')}?next={_next_url(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = [d for d in devices_for_user(request.user, confirmed=True) if not d.verify_is_allowed()[0]]
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", _mismatch(*throttled))
    return render(request, "clinic/two_factor_verify.html", _context(request, title="Enter your code", form=form))


class AddressAwareAxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits: AXES_FAILURE_LIMIT failures for one username
    from one address, and AXES_ADDRESS_FAILURE_LIMIT from one address whatever the usernames.

    Axes compares the largest count over AXES_LOCKOUT_PARAMETERS ([username + address], [address])
    with the one AXES_FAILURE_LIMIT, so the address count is scaled to that limit here: it reaches
    AXES_FAILURE_LIMIT exactly when the address has AXES_ADDRESS_FAILURE_LIMIT failures."""

    def get_failures(self, request, credentials=None) -> int:
        counts = [
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if len(counts) != 2:  # a request without a username: axes' own rule
            return max(counts, default=0)
        per_user_and_address, per_address = counts
        scaled = per_address * settings.AXES_FAILURE_LIMIT // settings.AXES_ADDRESS_FAILURE_LIMIT
        return max(per_user_and_address, scaled)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: a plain page saying when to try again, 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "clinic/lockout.html", {"cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


urlpatterns = [
    path("", two_factor, name="two_factor"),
    path("verify/", two_factor_verify, name="two_factor_verify"),
    path("enrol/<str:token>/", enrol, name="enrol"),
]
