"""The forms' error messages, written for people (GOV.UK style): what to do, in plain words, for
each field and rule, in place of Django's defaults ("This field is required.").

`apply_messages(form)` sets them on a form's fields; `error_summary(form)` lists every error with
the id of the control it links to, for the summary at the top of the page.
"""

from django import forms

# What to do when a required answer is missing.
REQUIRED = {
    "first_name": "Enter your first name",
    "last_name": "Enter your last name",
    "email": "Enter your email address",
    "phone": "Enter your phone number",
    "preferred_contact": "Choose how we should contact you",
    "knees": "Choose which knee hurts",
    "duration": "Choose how long your knee has hurt",
    "onset": "Choose how the pain started",
    "replacement_recommended": "Choose whether a doctor has recommended a knee replacement",
    "out_of_network_acknowledged": (
        "Tick the box to say you understand that Caring Medical is an out-of-network provider"
    ),
    "consent_to_contact": "Tick the box to agree that we may contact you about this",
    "patient_status": "Choose whether you are a new or a current patient",
}
# Required messages that depend on the form (the same field name asks different things).
REQUIRED_BY_FORM = {
    ("QuestionForm", "message"): "Enter your question",
    ("AppointmentForm", "message"): "Enter a short reason for the appointment",
}
INVALID = {
    "email": "Enter an email address in the correct format, like name@example.com",
    "phone": "Enter a phone number, like 239 555 0100",
}


def _topic(field: forms.Field, name: str) -> str:
    label = str(field.label or name.replace("_", " "))
    return label.rstrip("?:. ").split(" (")[0].lower()


def apply_messages(form: forms.Form) -> None:
    for name, field in form.fields.items():
        messages = field.error_messages
        messages["required"] = REQUIRED_BY_FORM.get((type(form).__name__, name)) or REQUIRED.get(
            name, f"Answer the question: {_topic(field, name)}"
        )
        if name in INVALID:
            messages["invalid"] = INVALID[name]
        if isinstance(field, forms.ChoiceField):
            messages["invalid_choice"] = (
                "Choose a number from 0 to 10" if name.endswith("_pain") else "Choose one of the answers listed"
            )
        max_length = getattr(field, "max_length", None)
        if max_length:
            messages["max_length"] = f"{_topic(field, name).capitalize()} must be {max_length:,} characters or fewer"


def control_id(form: forms.Form, name: str) -> str:
    """The id of the control an error about `name` links to: the first choice of a group."""
    bound = form[name]
    widget = bound.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound.auto_id}_0"
    return bound.auto_id


def error_summary(form: forms.Form) -> list[tuple[str, str]]:
    """(control id or "", message) for every error, in the order of the form's fields."""
    items = [("", str(message)) for message in form.non_field_errors()]
    for name in form.fields:
        for message in form.errors.get(name, []):
            items.append((control_id(form, name), str(message)))
    return items
