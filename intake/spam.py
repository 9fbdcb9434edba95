"""Spam protection the public forms carry, none of which asks anything of a person: a honeypot
field hidden from people, a minimum fill time and, on the inquiry forms, the ALTCHA proof of work
(intake.proof_of_work) the browser solves by itself. The one-time submission token is in
intake.forms.InquiryForm, the per-IP rate limit in the views.

These are soft checks: a form that fails one is still valid. `spam_reasons` says which failed,
and the inquiry is kept as suspected spam for staff to release or delete (nothing a person sent
is dropped). The newsletter form, which has no challenge (its double opt-in protects it), asks the
person to send it again instead.
"""

import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing

from . import proof_of_work

STARTED_SALT = "intake.form.started"

# The widget, its styles and the worker that finds the answer are this site's static files.
ALTCHA_WIDGET = HTML(
    """{% load static %}<div class="intake-altcha" data-altcha-worker="{% static 'vendor/altcha/workers/sha.js' %}">
<altcha-widget name="altcha" challenge="{% url 'intake:altcha_challenge' %}"></altcha-widget></div>"""
)


class ProtectedForm(forms.Form):
    """Spam protection shared by every public form."""

    challenge = False  # the inquiry forms carry the ALTCHA proof of work

    # The honeypot: hidden from people by CSS and from assistive technology; bots fill it in.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started_ok = True
        self.spam_reasons: list[str] = []
        self.initial.setdefault("started", signing.dumps(time.time(), salt=STARTED_SALT))
        if self.is_bound:
            try:
                self.started_at = float(signing.loads(self.data.get("started", ""), salt=STARTED_SALT))
            except (signing.BadSignature, TypeError, ValueError):
                # Give the re-rendered form a fresh start time, so the next attempt can pass.
                self.started_ok = False
                self.data = self.data.copy()
                self.data["started"] = signing.dumps(time.time(), salt=STARTED_SALT)

    def protection_layout(self) -> list:
        """The spam-protection fields, placed at the end of every form."""
        return [
            *([ALTCHA_WIDGET] if self.challenge else []),
            Div("website", css_class="intake-hp", aria_hidden="true"),
            "started",
        ]

    def set_layout(self, *items, submit: str, css_class: str = "btn-brand btn-lg") -> None:
        """The crispy-forms layout: `items`, then the submit button. The template has the <form>
        element and its CSRF token."""
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*items, Submit("submit", submit, css_class=css_class))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.spam_reasons.append("The hidden field bots fill in was filled in")
        if not self.started_ok:
            self.spam_reasons.append("The form's start time was missing or altered")
        elif time.time() - self.started_at < settings.INTAKE_MIN_FILL_SECONDS:
            self.spam_reasons.append(f"Sent less than {settings.INTAKE_MIN_FILL_SECONDS} s after the form was opened")
        if self.challenge and not proof_of_work.verify(self.data.get("altcha", "")):
            self.spam_reasons.append("No solved proof-of-work challenge (JavaScript off, or not a browser)")
        return cleaned
