"""The candidacy form's building blocks: its choices (pain 0-10, how often, did a treatment help),
the fields made from them and how the sections are laid out (choices in a row, a knee's questions
grouped for intake/static's script to hide the knee that does not hurt).
"""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import HTML, Div, Fieldset
from django import forms

from .models import Inquiry
from .sections import Section

PAIN_CHOICES = [(str(n), str(n)) for n in range(11)]
# How much of the time it hurts, stored as a percentage (Inquiry.left_pain_time).
FREQUENCY_CHOICES = [
    ("25", "Now and then"),
    ("50", "About half the time"),
    ("75", "Most of the time"),
    ("100", "All the time"),
]
NOT_TRIED = "not_tried"
OUTCOME_CHOICES = [
    (NOT_TRIED, "Not tried"),
    (Inquiry.Helped.YES, "Helped"),
    (Inquiry.Helped.FOR_A_WHILE, "Helped for a while"),
    (Inquiry.Helped.NO, "Did not help"),
]
KNEE_SIDES = {"left": ["left"], "right": ["right"], "both": ["left", "right"]}
EMERGENCY = HTML(
    '<p class="intake-emergency"><strong>Not for emergencies.</strong> If you need urgent medical help, call 911.</p>'
)


def _number_choice(choices, label):
    """A choice of numbers as radio buttons, stored as an int (None when not answered)."""
    return forms.TypedChoiceField(
        choices=choices, coerce=int, empty_value=None, required=False, widget=forms.RadioSelect, label=label
    )


def pain_field(side):
    return _number_choice(
        PAIN_CHOICES, f"{side.capitalize()} knee: how much does it hurt, from 0 (no pain) to 10 (the worst pain)?"
    )


def time_field(side):
    return _number_choice(FREQUENCY_CHOICES, f"{side.capitalize()} knee: how often does it hurt?")


def outcome_field(label):
    return forms.ChoiceField(choices=OUTCOME_CHOICES, widget=forms.RadioSelect, label=label, required=False)


def layout_item(name):
    """A field of the candidacy form as laid out: choices in a row; a knee's questions grouped so
    that the page's script can hide the knee that does not hurt; the treatments one row each."""
    if isinstance(name, tuple):
        side = name[0].split("_")[0]
        return Div(*(InlineRadios(n) for n in name), css_class="intake-knee", data_knee=side)
    if name == "treatments_tried":
        return Fieldset(
            "What have you tried, and did it help?",
            *(InlineRadios(f"tried_{value}") for value in Inquiry.Treatment.values),
            css_class="intake-treatments",
        )
    return name


def section_fieldset(section: Section, *extra) -> Fieldset:
    """One section of the candidacy form."""
    items = [layout_item(item) for item in section.fields]
    return Fieldset(section.title, *items, *extra, css_id=section.anchor, css_class="intake-section")
