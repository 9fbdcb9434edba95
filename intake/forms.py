"""The public forms: the candidacy form, a question, an appointment request, the e-newsletter.

Each carries the same spam protection (intake.spam) and the inquiry forms a hidden one-time
submission token that makes a double click store one inquiry. The candidacy form's steps are
declared in intake.sections.
"""

import uuid

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse_lazy
from django.utils.functional import lazy
from django.utils.html import format_html

from clinic.images import ImagePolicy, check_header, clean_image
from clinic.models import Office

from .candidacy import EMERGENCY, KNEE_SIDES, NOT_TRIED, outcome_field, pain_field, section_fieldset, time_field
from .messages import apply_messages
from .models import Inquiry
from .sections import CANDIDACY_SECTIONS, CONTACT_FIELDS
from .spam import ProtectedForm
from .text import plain_line, plain_text

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
TEXT_MAX = 4000


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def _privacy_label():
    return format_html(
        'I agree that Caring Medical may contact me about this, as described in the <a href="{}">privacy notice</a>.',
        reverse_lazy("clinic:privacy"),
    )


privacy_label = lazy(_privacy_label, str)


def report_image_policy() -> ImagePolicy:
    """What a patient's report image may be, and what they are told when it is refused."""
    unreadable = "We could not read this file as an image. Please send a JPEG, PNG or WebP photo or scan of the report."
    return ImagePolicy(
        formats=frozenset(IMAGE_FORMATS),
        max_bytes=settings.INTAKE_UPLOAD_MAX_BYTES,
        max_pixels=settings.INTAKE_UPLOAD_MAX_PIXELS,
        too_large="The image is larger than 10 MB. Please send a smaller photo or scan.",
        unreadable=unreadable,
        wrong_format=unreadable,
        too_many_pixels="This image has too many pixels. Please send a smaller photo or scan.",
        max_side=settings.INTAKE_UPLOAD_MAX_SIDE,
    )


def clean_report_image(upload) -> ContentFile:
    """A patient's image of an MRI or X-ray report, checked and re-encoded without its metadata.

    Accepts JPEG, PNG and WebP up to INTAKE_UPLOAD_MAX_BYTES and INTAKE_UPLOAD_MAX_PIXELS, through
    the site's one image pipeline (clinic.images): header checks, full decode, only the pixels
    written back (no EXIF, GPS, comments or colour profiles), to a random file name. Raises
    ValidationError for anything else.
    """
    data, image_format = clean_image(upload, report_image_policy())
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{IMAGE_FORMATS[image_format]}")


class InquiryForm(ProtectedForm, forms.ModelForm):
    """The fields and checks every inquiry form shares."""

    challenge = True  # the ALTCHA proof of work (intake.spam)

    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    office = OfficeChoiceField(
        queryset=Office.objects.all(),
        to_field_name="slug",
        required=False,
        blank=True,  # keeps the "either" choice among the radio buttons
        empty_label="Either office, or remote",
        widget=forms.RadioSelect,
        label="Preferred office",
    )
    preferred_contact = forms.ChoiceField(
        choices=Inquiry.ContactMethod.choices,
        widget=forms.RadioSelect,
        label="How should we contact you?",
        initial=Inquiry.ContactMethod.EITHER,
    )
    consent_to_contact = forms.BooleanField(label=privacy_label(), required=True)

    class Meta:
        model = Inquiry
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("submission_token", uuid.uuid4())
        self.image_was_sent = bool(self.files.get("image"))
        for name in ("first_name", "last_name"):
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = "given-name" if name == "first_name" else "family-name"
        if "email" in self.fields:
            self.fields["email"].widget.attrs["autocomplete"] = "email"
        if "phone" in self.fields:
            self.fields["phone"].widget = forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"})
        apply_messages(self)

    def protection_layout(self) -> list:
        return [*super().protection_layout(), "submission_token"]

    def clean_submission_token(self):
        # A missing or forged token only costs the sender the double-click protection.
        return self.cleaned_data.get("submission_token") or uuid.uuid4()

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str) and name in self.fields:
                multiline = isinstance(self.fields[name].widget, forms.Textarea)
                cleaned[name] = plain_text(value) if multiline else plain_line(value)
        for name in [n for n, v in cleaned.items() if v == "" and n in self.fields and self.fields[n].required]:
            self.add_error(name, self.fields[name].error_messages["required"])
        if cleaned.get("preferred_contact") == Inquiry.ContactMethod.PHONE and not cleaned.get("phone"):
            self.add_error("phone", "Enter your phone number, or choose email as the way to contact you")
        return cleaned

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors and self.image_was_sent and "image" not in self._errors:
            # A browser never re-sends a file, so say so beside the field.
            self._errors["image"] = self.error_class(
                ["Please choose the image again: for your privacy it is not kept until the form is sent."]
            )

    def check_image_header(self) -> None:
        """The picture's size, format and pixel count from its header (cheap; raises ValidationError)."""
        upload = self.cleaned_data.get("image")
        if upload:
            check_header(upload, report_image_policy())

    def checked_image(self) -> ContentFile | None:
        """The picture checked and re-encoded (clean_report_image), or None. The costly step, so
        the view calls it only once the form is valid, the spam checks passed and the rate limit
        allows it. Raises ValidationError for a picture that is refused."""
        upload = self.cleaned_data.get("image")
        return clean_report_image(upload) if upload else None

    def answers(self) -> dict:
        """The Inquiry field values for services.submit_inquiry."""
        skip = {"website", "started", "submission_token", "image"}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}


def _radio(choices, label, required=True, **kwargs):
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, label=label, required=required, **kwargs)


CALLBACK_CHOICES = [
    ("Weekday mornings", "Weekday mornings"),
    ("Weekday afternoons", "Weekday afternoons"),
    ("Any time", "Any time"),
]


class CandidateForm(InquiryForm):
    """Find out if you are a good candidate."""

    knees = _radio(Inquiry.Knee.choices, "Which knee hurts?")
    left_pain = pain_field("left")
    left_pain_time = time_field("left")
    right_pain = pain_field("right")
    right_pain_time = time_field("right")
    duration = _radio(Inquiry.Duration.choices, "How long has it hurt?")
    onset = _radio(Inquiry.Onset.choices, "How did it start?")
    pain_worsening = _radio(Inquiry.Answer.choices, "Is the pain getting worse?", required=False)
    activity_level = _radio(Inquiry.Activity.choices, "How active are you?", required=False)
    replacement_recommended = _radio(Inquiry.Answer.choices, "Has a doctor recommended a knee replacement?")
    pain_medication = _radio(
        Inquiry.PainMedication.choices, "How much pain medication do you take for your knee?", required=False
    )
    otherwise_healthy = _radio(Inquiry.Answer.choices, "Are you otherwise in good health?", required=False)
    message = forms.CharField(
        label="Describe your knee pain in your own words",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    activities_given_up = forms.CharField(
        label="Activities you have given up because of your knee",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    image = forms.FileField(
        label="An image of your MRI or X-ray report (optional)",
        required=False,
        help_text="A photo or scan: JPEG, PNG or WebP, up to 10 MB. Only our staff can see it.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    callback_window = _radio(CALLBACK_CHOICES, "When is a good time to call you?", required=False)
    out_of_network_acknowledged = forms.BooleanField(
        label="I understand that Caring Medical is an out-of-network provider.", required=True
    )

    class Meta(InquiryForm.Meta):
        fields = [
            name
            for section in CANDIDACY_SECTIONS
            for name in section.names()
            if name not in ("image", "treatments_tried")
        ]
        labels = {
            "ligament_or_tendon_pain": "The pain seems to come from ligaments or tendons around the knee",
            "clicking": "The knee clicks, pops or grinds",
            "worse_with_activity": "It is worse with some activities",
            "better_with_rest": "It is better with rest",
            "sleep_interrupted": "Knee pain wakes me up or keeps me from sleeping",
            "instability": "The knee gives way or feels unstable",
            "swelling": "The knee swells",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One "did it help?" question per treatment, in place of a list of boxes to tick.
        for value, label in Inquiry.Treatment.choices:
            self.fields[f"tried_{value}"] = outcome_field(label)
            self.initial.setdefault(f"tried_{value}", NOT_TRIED)
        apply_messages(self)
        last = len(CANDIDACY_SECTIONS) - 1
        self.set_layout(
            EMERGENCY,
            *(
                section_fieldset(section, *(self.protection_layout() if index == last else ()))
                for index, section in enumerate(CANDIDACY_SECTIONS)
            ),
            submit="Send",
        )

    def clean_image(self):
        # Only the cheap size check here: the picture is decoded by checked_image, once the rest of
        # the form is valid and the spam checks passed.
        upload = self.cleaned_data.get("image")
        if upload and upload.size > settings.INTAKE_UPLOAD_MAX_BYTES:
            raise forms.ValidationError("The image is larger than 10 MB. Please send a smaller photo or scan.")
        return upload

    def clean(self):
        cleaned = super().clean()
        sides = KNEE_SIDES.get(cleaned.get("knees"), [])
        for side in sides:
            for suffix, what in (
                ("pain", "how much your {} knee hurts, from 0 to 10"),
                ("pain_time", "how often your {} knee hurts"),
            ):
                if cleaned.get(f"{side}_{suffix}") is None and f"{side}_{suffix}" not in self._errors:
                    self.add_error(f"{side}_{suffix}", "Choose " + what.format(side))
        for side in {"left", "right"} - set(sides):
            # Answers about a knee the person said does not hurt are ignored: not stored, never an error.
            for name in (f"{side}_pain", f"{side}_pain_time"):
                cleaned[name] = None
                self._errors.pop(name, None)
        outcomes = {value: cleaned.pop(f"tried_{value}", "") or NOT_TRIED for value in Inquiry.Treatment.values}
        cleaned["treatments_tried"] = [value for value, outcome in outcomes.items() if outcome != NOT_TRIED]
        cleaned["treatment_outcomes"] = {value: outcome for value, outcome in outcomes.items() if outcome != NOT_TRIED}
        return cleaned


class QuestionForm(InquiryForm):
    """Ask our Caring Medical staff a question (from any page, or from an article)."""

    message = forms.CharField(label="Your question", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    # Not validated: an unknown or overlong slug is ignored (views.AskView.article), never an error.
    article_slug = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta(InquiryForm.Meta):
        fields = [*CONTACT_FIELDS, "message"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = False
        self.set_layout(
            EMERGENCY,
            *self.Meta.fields,
            "consent_to_contact",
            *self.protection_layout(),
            "article_slug",
            submit="Send my question",
        )

    def answers(self) -> dict:
        answers = super().answers()
        answers.pop("article_slug", None)
        return answers


DAY_CHOICES = [(d.lower(), d) for d in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")]
TIME_CHOICES = [("morning", "Morning"), ("afternoon", "Afternoon")]


class AppointmentForm(InquiryForm):
    """Make an Appointment: a request staff follow up by phone or email."""

    patient_status = _radio(Inquiry.PatientStatus.choices, "Are you a new or a current patient?")
    preferred_days = forms.MultipleChoiceField(
        choices=DAY_CHOICES, widget=forms.CheckboxSelectMultiple, required=False, label="Preferred days"
    )
    preferred_times = forms.MultipleChoiceField(
        choices=TIME_CHOICES, widget=forms.CheckboxSelectMultiple, required=False, label="Preferred times"
    )
    message = forms.CharField(
        label="A short reason for the appointment", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta(InquiryForm.Meta):
        fields = [*CONTACT_FIELDS, "patient_status", "preferred_days", "preferred_times", "message"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = True
        self.set_layout(
            EMERGENCY,
            *self.Meta.fields,
            "consent_to_contact",
            *self.protection_layout(),
            submit="Request an appointment",
        )


class NewsletterForm(ProtectedForm):
    email = forms.EmailField(label="Your email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_messages(self)
        self.set_layout("email", *self.protection_layout(), submit="Subscribe", css_class="btn-brand")

    def clean(self):
        cleaned = super().clean()
        if self.spam_reasons:  # no challenge here, and nothing stored yet: ask the person to send it again
            raise forms.ValidationError("Please check your email address and press Subscribe again.")
        return cleaned
