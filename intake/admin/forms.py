"""The admin's forms: the triage fields of the change page, and a note."""

from django import forms

from intake import services
from intake.models import Inquiry, Note


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "cols": 60})}
        labels = {"text": "Note"}


class InquiryTriageForm(forms.ModelForm):
    """Staff change the status (only to the moves the state machine allows from where it is now),
    the assignee and the priority; everything the person sent stays as they sent it."""

    class Meta:
        model = Inquiry
        fields = ["status", "assignee", "priority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields and self.instance.pk:
            current = self.instance.status
            labels = dict(Inquiry.Status.choices)
            self.fields["status"].choices = [
                (current, f"{labels[current]} (now)"),
                *((status, labels[status]) for status in services.allowed_moves(current)),
            ]
            self.fields["status"].help_text = "Only the moves allowed from the current status are offered."
        if "assignee" in self.fields:
            self.fields["assignee"].label = "Assigned to"
            self.fields["assignee"].empty_label = "Nobody"
