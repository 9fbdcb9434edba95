"""The admin's forms: the triage workspace of the change page, and the bulk contact attempt."""

from django import forms
from django.core.exceptions import ValidationError

from intake import services
from intake.models import ContactAttempt, Inquiry

from .display import user_label

# The change page's action buttons post their value under this name; every one of them saves
# everything on the page (TriageForm.edit) or refuses it all with what was typed kept.
ACTION = "_triage"
ASSIGN_TO_ME = "assign_me"
ADD_NOTE = "note"
LOG_ATTEMPT = "attempt"
MOVE = "move:"


class StaffChoiceField(forms.ModelChoiceField):
    """Staff by full name (the username only when no name is set)."""

    def label_from_instance(self, obj):
        return user_label(obj)


class AttemptFields(forms.Form):
    """A contact attempt: how, how it went, a note, the next step. Blank altogether means none."""

    # Radio buttons: every option in sight, one click each (from the staff email's link to a
    # logged, reached contact: the link, "Phone", "Reached them", "Log the attempt").
    attempt_channel = forms.ChoiceField(
        label="How you tried", choices=ContactAttempt.Channel.choices, required=False, widget=forms.RadioSelect
    )
    attempt_outcome = forms.ChoiceField(
        label="Outcome", choices=ContactAttempt.Outcome.choices, required=False, widget=forms.RadioSelect
    )
    attempt_note = forms.CharField(
        label="What was said", required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 40})
    )
    attempt_next_step = forms.CharField(label="Next step", max_length=200, required=False)

    def attempt(self, *, required: bool) -> services.AttemptEdit | None:
        """The attempt typed, or None; adds a plain error beside a missing channel or outcome."""
        data = self.cleaned_data
        typed = any(
            data.get(name) for name in ("attempt_channel", "attempt_outcome", "attempt_note", "attempt_next_step")
        )
        if not typed and not required:
            return None
        if not data.get("attempt_channel"):
            self.add_error("attempt_channel", "Choose how you tried to reach them.")
        if not data.get("attempt_outcome"):
            self.add_error("attempt_outcome", "Choose how the attempt went.")
        if not (data.get("attempt_channel") and data.get("attempt_outcome")):
            return None
        return services.AttemptEdit(
            channel=data["attempt_channel"],
            outcome=data["attempt_outcome"],
            note=data.get("attempt_note", ""),
            next_step=data.get("attempt_next_step", ""),
        )


class InquiryTriageForm(AttemptFields, forms.ModelForm):
    """Everything staff type on an inquiry's page: assignee, priority, a note, a contact attempt,
    and which button they pressed (ACTION: assign to me, move to a status, add the note, log the
    attempt, or Save). Validation checks the whole edit with services.check_triage, so a refusal is
    shown on the page with every value kept; the admin then saves it with services.save_triage.
    The status changes only through the "Move to ..." buttons (one way to move)."""

    user = None  # the signed-in staff member, set by InquiryAdmin.get_form

    note = forms.CharField(
        label="New note (staff only)", required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 40})
    )

    class Meta:
        model = Inquiry
        fields = ["assignee", "priority"]
        field_classes = {"assignee": StaffChoiceField}
        labels = {"assignee": "Assigned to"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = services.triage_staff()
            self.fields["assignee"].empty_label = "Nobody"
        self.edit = None

    @property
    def action(self) -> str:
        return self.data.get(ACTION, "") if self.is_bound else ""

    def clean(self):
        data = super().clean()
        action = self.action
        if action == ADD_NOTE and not data.get("note", "").strip():
            self.add_error("note", "Write the note first.")
        attempt = self.attempt(required=action == LOG_ATTEMPT)
        move_to = action.removeprefix(MOVE) if action.startswith(MOVE) else ""
        if move_to and move_to not in Inquiry.Status.values:
            raise ValidationError("Unknown status.")
        if self.errors:
            return data
        self.edit = services.TriageEdit(
            assignee=self.user if action == ASSIGN_TO_ME else data.get("assignee"),
            priority=data.get("priority", self.instance.priority),
            note=data.get("note", ""),
            attempt=attempt,
            move_to=move_to,
        )
        try:
            services.check_triage(inquiry=self.instance, edit=self.edit)
        except services.TriageRefused as exc:
            raise ValidationError(f"Nothing was saved: {exc}") from exc
        return data


class BulkAttemptForm(AttemptFields):
    """The bulk "log a contact attempt" action's confirmation page: one attempt for each selected
    inquiry (a reached person moves it to contacted)."""

    def clean(self):
        data = super().clean()
        self.edit = self.attempt(required=True)
        return data
