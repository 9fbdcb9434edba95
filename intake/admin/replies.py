"""Replies from templates in admin: the templates' own admin, and the inquiry's "Reply by email"
page (`<pk>/reply/`), mixed into InquiryAdmin.

The page is one form with four buttons, each posting everything typed: "Fill in from the template"
(replaces the subject and text with the chosen template's, placeholders filled), "Preview" (the
email as it will go out), "Send" and, once the page warned that the text repeats words of the
patient's own free text, "Send anyway". Whatever is refused (validation, the warning, a database
error) comes back with the typed subject and text kept; the form's one-time token makes a second
submit of the same form send nothing more (services.send_reply).
"""

import logging
import uuid

from django import forms
from django.contrib import admin, messages
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from intake.models import Inquiry, OutboxMessage, ReplyTemplate
from intake.services import (
    ReplyDraft,
    ReplyRefused,
    build_email,
    check_reply,
    render_reply,
    reply_health_words,
    send_reply,
)

logger = logging.getLogger(__name__)

REPLY_ACTION = "_reply"
FILL, PREVIEW, SEND, SEND_ANYWAY = "fill", "preview", "send", "send_anyway"


class ReplyTemplateAdmin(admin.ModelAdmin):
    """Reply templates: who may edit them is the model's permissions (Triage may only read them)."""

    list_display = ["name", "subject", "active", "order"]
    list_editable = ["active", "order"]
    list_filter = ["active"]
    search_fields = ["name", "subject"]


class ReplyForm(forms.Form):
    template = forms.ModelChoiceField(
        label="Template",
        queryset=ReplyTemplate.objects.filter(active=True),
        required=False,
        empty_label="No template (write your own)",
    )
    # The template the text was last filled in from (set by the page, not the choice above): the
    # contact attempt and the audit trail name it.
    used_template = forms.ModelChoiceField(
        queryset=ReplyTemplate.objects.all(), required=False, widget=forms.HiddenInput
    )
    subject = forms.CharField(
        label="Subject", max_length=200, required=False, widget=forms.TextInput(attrs={"size": 70})
    )
    body = forms.CharField(
        label="Text", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 14, "cols": 72})
    )
    # One form, one email: a second submit of the same form finds the row this token made.
    token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This form is damaged: copy your text, then open the reply page again.",
            "invalid": "This form is damaged: copy your text, then open the reply page again.",
        },
    )
    # The words the page warned about: "Send anyway" holds only for these.
    acknowledged = forms.CharField(required=False, widget=forms.HiddenInput)

    def draft(self) -> ReplyDraft:
        data = self.cleaned_data
        return ReplyDraft(
            subject=data.get("subject", ""),
            body=data.get("body", ""),
            template=data.get("used_template"),
            token=data["token"],
        )


class InquiryReplyView:
    """Mixed into InquiryAdmin: the reply page."""

    def get_urls(self):
        return [
            path("<int:pk>/reply/", self.admin_site.admin_view(self.reply_view), name="intake_inquiry_reply"),
            *super().get_urls(),
        ]

    def reply_view(self, request, pk):
        """Write, preview and send a reply (the inquiry's change permission, the Triage group's)."""
        inquiry = self._inquiry_for(request, pk, change=True)
        context = {"preview": None, "warning": []}
        if request.method != "POST":
            form = ReplyForm(initial={"token": uuid.uuid4()})
            chosen = ReplyTemplate.objects.filter(active=True, pk=request.GET.get("template") or None).first()
            if chosen is not None:
                subject, body = render_reply(chosen, inquiry)
                initial = {"template": chosen, "used_template": chosen, "subject": subject, "body": body}
                form = ReplyForm(initial={"token": uuid.uuid4(), **initial})
            return self._reply_page(request, inquiry, form, context)
        action = request.POST.get(REPLY_ACTION, PREVIEW)
        form = ReplyForm(request.POST)
        if not form.is_valid():
            return self._reply_page(request, inquiry, form, context)
        draft = form.draft()
        if action == FILL:
            chosen = form.cleaned_data["template"]
            if chosen is None:
                form.add_error("template", "Choose a template first.")
                return self._reply_page(request, inquiry, form, context)
            data = request.POST.copy()
            data["subject"], data["body"] = render_reply(chosen, inquiry)
            data["used_template"], data["acknowledged"] = chosen.pk, ""
            form = ReplyForm(data)
            form.is_valid()
            return self._reply_page(request, inquiry, form, context)
        try:
            check_reply(inquiry=inquiry, draft=draft)
        except ReplyRefused as exc:
            form.add_error(None, f"Nothing was sent: {exc}")
            return self._reply_page(request, inquiry, form, context)
        words = reply_health_words(inquiry, subject=draft.subject, body=draft.body, template=draft.template)
        acknowledged = set(form.cleaned_data["acknowledged"].split())
        if words:
            context["warning"] = words
            form = _with_acknowledged(request, words)
        if action not in (SEND, SEND_ANYWAY) or (words and not (action == SEND_ANYWAY and set(words) <= acknowledged)):
            context["preview"] = _preview(inquiry, draft)
            return self._reply_page(request, inquiry, form, context)
        try:
            message, created = send_reply(inquiry=inquiry, draft=draft, by=request.user)
        except ReplyRefused as exc:
            form.add_error(None, f"Nothing was sent: {exc}")
            return self._reply_page(request, inquiry, form, context)
        except DatabaseError as exc:
            logger.warning("intake: a reply to %s was not stored (%s)", inquiry.reference, type(exc).__name__)
            form.add_error(None, "Nothing was sent: the database did not answer. Your text is kept; try again.")
            return self._reply_page(request, inquiry, form, context, status=503)
        if created:
            text = f"{inquiry.reference}: the email “{message.subject}” is on its way to {inquiry.email}"
            self.message_user(request, text + " (logged as a contact attempt).", messages.SUCCESS)
        else:
            self.message_user(request, f"{inquiry.reference}: this email was sent already; not sent again.")
        return HttpResponseRedirect(reverse("admin:intake_inquiry_change", args=[inquiry.pk]) + "#contact-attempts")

    def _reply_page(self, request, inquiry: Inquiry, form: ReplyForm, context: dict, status: int = 200):
        context = {
            **self.admin_site.each_context(request),
            **context,
            "title": f"Reply by email to {inquiry.reference}",
            "opts": self.model._meta,
            "original": inquiry,
            "form": form,
            "used_template": (getattr(form, "cleaned_data", None) or form.initial).get("used_template"),
            "reply_action": REPLY_ACTION,
            "replies": inquiry.outbox.filter(kind=OutboxMessage.Kind.REPLY)
            .select_related("template")
            .defer("subject", "body"),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/intake/inquiry/reply.html", context, status=status)


def _with_acknowledged(request, words: list[str]) -> ReplyForm:
    """The same form, its hidden `acknowledged` set to the words just warned about."""
    data = request.POST.copy()
    data["acknowledged"] = " ".join(words)
    form = ReplyForm(data)
    form.is_valid()
    return form


def _preview(inquiry: Inquiry, draft: ReplyDraft) -> dict:
    """The email as the worker will build it (emails.build_email on an unsaved row)."""
    row = OutboxMessage(kind=OutboxMessage.Kind.REPLY, inquiry=inquiry, subject=draft.subject, body=draft.body)
    email = build_email(row)
    headers = {"to": ", ".join(email.to), "reply_to": ", ".join(email.reply_to)}
    return {**headers, "subject": email.subject, "body": email.body}
