"""The emails of the hand-off and the e-newsletter, and the signed links they carry.

Bodies come from templates/intake/email/ and carry references and links only, never symptoms or
other health details.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from clinic import site
from clinic.models import Office
from intake.models import OutboxMessage, Subscriber
from intake.text import single_line

from .answer_time import answer_by

GREETABLE_NAME = re.compile(r"[A-Za-z][A-Za-z' -]{0,39}", re.ASCII)
NEWSLETTER_CONFIRM_SALT = "intake.newsletter.confirm"
NEWSLETTER_UNSUBSCRIBE_SALT = "intake.newsletter.unsubscribe"
NEWSLETTER_CONFIRM_MAX_AGE = timedelta(days=7)


def message_id_header(message: OutboxMessage) -> str:
    """A Message-ID fixed by the outbox row: a duplicate send shows up as the same id twice."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<outbox-{message.pk}.{message.kind}@{domain}>"


def build_email(message: OutboxMessage) -> EmailMessage:
    """The email for an outbox row. Bodies come from templates/intake/email/ and carry references
    and links only, never symptoms or other health details."""
    context = {
        "clinic_name": site.CLINIC_NAME,
        "disclaimer": site.DISCLAIMER,
        "site_url": settings.SITE_URL,
        "offices": list(Office.objects.all()),
    }
    headers = {"Message-ID": message_id_header(message)}
    if message.kind == OutboxMessage.Kind.REPLY:
        return build_reply(message, context, headers)
    if message.kind == OutboxMessage.Kind.STAFF_NOTIFICATION:
        inquiry = message.inquiry
        context.update(inquiry=inquiry, admin_url=settings.SITE_URL + inquiry.get_admin_url())
        subject = f"New {inquiry.get_kind_display().lower()} {inquiry.reference}"
        to = list(settings.STAFF_NOTIFY_EMAILS)
        template = "intake/email/staff_notification.txt"
    elif message.kind == OutboxMessage.Kind.PATIENT_CONFIRMATION:
        inquiry = message.inquiry
        context.update(
            inquiry=inquiry,
            answer_by=answer_by(sent_at=inquiry.submitted_at, office=inquiry.office),
            greeting_name=greeting_name(inquiry.first_name),
        )
        subject = f"We received your message ({inquiry.reference})"
        to = [inquiry.email]
        template = "intake/email/patient_confirmation.txt"
    else:
        subscriber = message.subscriber
        unsubscribe_url = settings.SITE_URL + newsletter_unsubscribe_path(subscriber)
        context.update(
            confirm_url=settings.SITE_URL + newsletter_confirm_path(subscriber), unsubscribe_url=unsubscribe_url
        )
        # RFC 8058: mail clients show their own "Unsubscribe" and POST to the link in one click.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        subject = f"Please confirm your {site.CLINIC_NAME} e-newsletter subscription"
        to = [subscriber.email]
        template = "intake/email/newsletter_confirmation.txt"
    body = render_to_string(template, context)
    return EmailMessage(subject=subject, body=body, to=to, headers=headers)


def build_reply(message: OutboxMessage, context: dict, headers: dict) -> EmailMessage:
    """A reply staff wrote (services.replies.send_reply): their subject, with the reference, and
    their text above the clinic's footer; to the patient's own address only, Reply-To the triage
    inbox (STAFF_NOTIFY_EMAILS). Also what the reply page previews, for an unsaved row."""
    inquiry = message.inquiry
    context.update(inquiry=inquiry, text=message.body)
    return EmailMessage(
        subject=reply_subject(message.subject, inquiry.reference or ""),
        body=render_to_string("intake/email/reply.txt", context),
        to=[inquiry.email],
        reply_to=list(settings.STAFF_NOTIFY_EMAILS),
        headers=headers,
    )


def reply_subject(subject: str, reference: str) -> str:
    """A reply's subject as sent: one line, with the inquiry's reference (added if staff removed it)."""
    line = single_line(subject)
    if reference and reference not in line:
        line = f"{line} ({reference})" if line else reference
    return line


def greeting_name(first_name: str) -> str:
    """The first name to greet the patient with, only if it looks like a name (letters, and
    spaces, hyphens or apostrophes between them, up to 40): the form must not let anyone send a
    line of their choosing to any address. Empty otherwise (the email says "Hello,")."""
    name = first_name.strip()
    return name if GREETABLE_NAME.fullmatch(name) else ""


def newsletter_confirm_path(subscriber: Subscriber) -> str:
    token = signing.dumps([subscriber.pk, subscriber.email], salt=NEWSLETTER_CONFIRM_SALT)
    return reverse("intake:newsletter_confirm", args=[token])


def newsletter_unsubscribe_path(subscriber: Subscriber) -> str:
    token = signing.dumps([subscriber.pk, subscriber.email], salt=NEWSLETTER_UNSUBSCRIBE_SALT)
    return reverse("intake:newsletter_unsubscribe", args=[token])


def subscriber_from_token(token: str, *, purpose: str) -> Subscriber | None:
    """The subscriber a signed link names, or None if the link is forged, altered or expired.

    `purpose` is "confirm" (valid NEWSLETTER_CONFIRM_MAX_AGE) or "unsubscribe" (valid forever).
    """
    try:
        if purpose == "confirm":
            pk, email = signing.loads(token, salt=NEWSLETTER_CONFIRM_SALT, max_age=NEWSLETTER_CONFIRM_MAX_AGE)
        else:
            pk, email = signing.loads(token, salt=NEWSLETTER_UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Subscriber.objects.filter(pk=pk, email=email).first()
