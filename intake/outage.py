"""The inquiry form drawn again, with everything typed, while the database is down.

Used by InquiryFormView.outage_response (through clinic.outage.server_error): the form is bound to
the POSTed data but not validated (validation reads the database: the office),
the fields whose widgets read the database are carried as hidden inputs with what was sent, and
the page says plainly to send it again in a minute. The picture cannot be kept: a browser never
re-sends a file, so the note beside it asks for it again.
"""

from django import forms
from django.forms.utils import ErrorDict

OUTAGE_MESSAGE = (
    "We could not save your form just now because part of our site is briefly unavailable. "
    "Nothing is lost: everything you typed is still here. Please press the button to send it again in a minute."
)
IMAGE_AGAIN = "Please choose the image again when you send the form: it could not be kept."


def _reads_database(field: forms.Field) -> bool:
    return isinstance(field, forms.ModelChoiceField)


def offline_form(form: forms.BaseForm, *, image_sent: bool) -> forms.BaseForm:
    """`form` (bound) made drawable without the database, carrying the outage message."""
    for field in form.fields.values():
        if _reads_database(field):
            field.widget = forms.HiddenInput()
    errors = ErrorDict({forms.forms.NON_FIELD_ERRORS: form.error_class([OUTAGE_MESSAGE], error_class="nonfield")})
    if image_sent and "image" in form.fields:
        errors["image"] = form.error_class([IMAGE_AGAIN])
    form._errors = errors  # not validated: validation would read the database
    form.cleaned_data = {}
    return form
