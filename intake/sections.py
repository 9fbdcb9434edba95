"""The candidacy form's sections, declared once.

The public form (intake.forms.CandidateForm) shows them as the sections of one page, with links
to them at the top; the admin shows the same fields in the same groups on a candidacy
inquiry's change page, under the staff's title. A pair of names is shown side by side.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    anchor: str  # the section's id on the public page
    title: str  # what the patient reads
    staff_title: str  # what staff read in the admin
    fields: tuple[str | tuple[str, str], ...]

    def names(self) -> list[str]:
        """The field names, pairs flattened."""
        return [name for item in self.fields for name in ((item,) if isinstance(item, str) else item)]


CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "preferred_contact", "office")

CANDIDACY_SECTIONS = (
    Section("about-you", "About you", "Contact", CONTACT_FIELDS),
    Section(
        "your-knee",
        "Your knee",
        "The knee",
        (
            "knees",
            ("left_pain", "left_pain_time"),
            ("right_pain", "right_pain_time"),
            "duration",
            "onset",
            "ligament_or_tendon_pain",
            "clicking",
            "worse_with_activity",
            "better_with_rest",
        ),
    ),
    Section(
        "tried",
        "What you have tried",
        "What they have tried",
        ("treatments_tried", "pain_worsening", "replacement_recommended", "pain_medication", "otherwise_healthy"),
    ),
    Section(
        "effects",
        "How it affects you",
        "How it affects them",
        ("activity_level", "sleep_interrupted", "instability", "swelling", "activities_given_up"),
    ),
    Section("details", "In your own words", "In their own words", ("message", "image")),
    Section(
        "send",
        "Check and send",
        "Call-back and consent",
        ("callback_window", "out_of_network_acknowledged", "consent_to_contact"),
    ),
)

# (anchor, title) of each section, for the links above the form.
CANDIDATE_SECTIONS = [(section.anchor, section.title) for section in CANDIDACY_SECTIONS]
