"""Spam protection every public form carries, none of which punishes a patient: a honeypot field
hidden from people, a minimum fill time and the "Enter code" challenge (the one-time submission
token is in intake.forms.InquiryForm, the per-IP rate limit in the views).
"""

import time

from captcha.fields import CaptchaField, CaptchaTextInput
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.conf import settings
from django.core import signing

STARTED_SALT = "intake.form.started"


class CodeInput(CaptchaTextInput):
    """The captcha widget with an image description a screen reader can use."""

    template_name = "intake/widgets/captcha.html"  # app templates: widgets render with the form renderer


class ProtectedForm(forms.Form):
    """Spam protection shared by every public form."""

    # The honeypot: hidden from people by CSS and from assistive technology; bots fill it in.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)
    captcha = CaptchaField(
        label="Enter code",
        help_text="Type the letters in the picture. Can't read them? Call either office and we will help.",
        widget=CodeInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started_ok = True
        self.fields["captcha"].widget.attrs["aria-label"] = "Enter code"
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
            Field("captcha", autocomplete="off"),
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
            raise forms.ValidationError("Please leave the last field empty (it helps us keep out automated spam).")
        if not self.started_ok:
            raise forms.ValidationError("Please check your answers and send the form again.")
        if time.time() - self.started_at < settings.INTAKE_MIN_FILL_SECONDS:
            raise forms.ValidationError("That was very quick. Please check your answers and send the form again.")
        return cleaned
