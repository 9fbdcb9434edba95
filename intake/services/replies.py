"""Replies from templates: staff email the patient from the inquiry's page, through the outbox.

- render_reply fills a ReplyTemplate's placeholders by simple replacement (never str.format on
  text anyone typed, so "{__class__}" stays as it is);
- health_words finds the words of a reply that the patient wrote in their own free text, so the
  page can warn before a health detail goes out by email;
- send_reply stores the reply as an outbox row and logs it as a contact attempt in one transaction,
  once per form (its token), and queues it after commit like every other email.
"""

import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction

from clinic import site
from clinic.models import Office
from intake import tasks
from intake.models import ContactAttempt, Inquiry, OutboxMessage, ReplyTemplate
from intake.text import plain_text, single_line

from .contact import log_contact_attempt
from .delivery import enqueue
from .emails import reply_subject
from .staff import TriageRefused, _locked

logger = logging.getLogger(__name__)

PLACEHOLDERS = ("first_name", "reference", "office", "phone")
# Anything between braces without spaces or braces: known names are filled, the rest left as typed.
PLACEHOLDER = re.compile(r"\{([^{}\s]{1,60})\}")


class ReplyRefused(TriageRefused):
    """The reply cannot be sent (no email address, nothing typed); nothing was stored."""


def unknown_placeholders(text: str) -> list[str]:
    """The "{...}" in `text` that are not PLACEHOLDERS, each once, in order (a template's check)."""
    found = [match.group(0) for match in PLACEHOLDER.finditer(text) if match.group(1) not in PLACEHOLDERS]
    return list(dict.fromkeys(found))


def reply_office(inquiry: Inquiry) -> Office | None:
    """The inquiry's office; for "either office, or remote", the first office (Office's ordering)."""
    return inquiry.office if inquiry.office_id else Office.objects.first()


def placeholder_values(inquiry: Inquiry) -> dict[str, str]:
    office = reply_office(inquiry)
    return {
        "first_name": single_line(inquiry.first_name)[:100],
        "reference": inquiry.reference or "",
        "office": office.label if office else "",
        "phone": office.phone if office else "",
    }


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """`text` with each known "{name}" replaced by values[name], in one pass: what a value holds
    (a first name "{reference}") is not replaced again, and unknown names stay as typed."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def render_reply(template: ReplyTemplate, inquiry: Inquiry) -> tuple[str, str]:
    """(subject, body) of `template` filled in for `inquiry`, for staff to edit before sending."""
    values = placeholder_values(inquiry)
    return fill_placeholders(template.subject, values), fill_placeholders(template.body, values)


# --- The health-word warning ------------------------------------------------------------------

# Words the warning ignores: short ones (MIN_LENGTH) and these common ones, which say nothing about
# a person's health however often both sides use them.
MIN_LENGTH = 3
STOP_LIST = """
    about above after again against all also always and any anyone anything are around ask asked back
    because been before being best better both but call called calling can cannot could day days did
    does doing don done down each either email even ever every few for from get getting give going
    good got had has have having hello her here him his how however into its just keep know last let
    like look make many may maybe might more most much must need needs never new next nice not now off
    old once one only other our out over own please put really right said same say see she should
    since some something soon still such sure take than thank thanks that the their them then there
    these they thing things think this those through time today too try two under until use used
    very want wanted was way week weeks well went were what when where which while who why will
    with without would year years yes yet you your yours yourself

    appointment appointments book booking clinic consultation contact office offices phone reference
    reply team visit message form dear regards kind sincerely morning afternoon evening
    tried reach reached number information doctor
"""
STOP_WORDS = frozenset(STOP_LIST.split())
WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> list[str]:
    """The words of `text`, compared alike whatever the case, accents, width or hidden characters:
    NFKC, format characters (zero-width, bidi) removed, accents dropped, casefolded."""
    text = unicodedata.normalize("NFKC", plain_text(text or ""))
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return WORD.findall(text.casefold())


def _key(word: str) -> str:
    """A word's form for comparing: a plural "knees" matches "knee"."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def health_words(text: str, free_texts, *, ignore=()) -> list[str]:
    """The words of `text` (what staff are about to send) that the patient also wrote in any of
    `free_texts`, each once, in the order `text` has them. Words shorter than MIN_LENGTH, the
    STOP_WORDS, and the words of `ignore` (their name, the offices) do not count."""
    ignored = {_key(word) for item in ignore for word in _words(item)}
    theirs = {
        _key(word) for item in free_texts for word in _words(item) if len(word) >= MIN_LENGTH and word not in STOP_WORDS
    } - ignored
    found = [word for word in _words(text) if word not in STOP_WORDS and _key(word) in theirs]
    return list(dict.fromkeys(found))


def patient_free_text(inquiry: Inquiry) -> list[str]:
    """What the patient wrote in their own words: the description or message and the other
    free-text answer (the activities given up)."""
    return [inquiry.message, inquiry.activities_given_up]


def reply_health_words(
    inquiry: Inquiry, *, subject: str, body: str, template: ReplyTemplate | None = None
) -> list[str]:
    """health_words of a reply to `inquiry`, ignoring the patient's name, the offices' names and
    the wording of the template the text was filled from (the clinic's, reviewed, sent to anyone:
    "We tried to call you" is no echo of a patient who wrote "I tried cortisone")."""
    ignore = [inquiry.first_name, inquiry.last_name, site.CLINIC_NAME]
    ignore += [f"{office.label} {office.name} {office.city}" for office in Office.objects.all()]
    if template is not None:
        ignore += [template.subject, template.body]
    return health_words(f"{subject}\n{body}", patient_free_text(inquiry), ignore=ignore)


# --- Sending ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyDraft:
    """What staff typed: subject, body, the template they started from, and the form's token."""

    subject: str
    body: str
    template: ReplyTemplate | None
    token: uuid.UUID


def check_reply(*, inquiry: Inquiry, draft: ReplyDraft) -> None:
    """Raise ReplyRefused, in words for staff, if send_reply would refuse `draft`."""
    if not (inquiry.email or "").strip():
        raise ReplyRefused("This inquiry has no email address to reply to.")
    if not single_line(draft.subject):
        raise ReplyRefused("Write a subject.")
    if not plain_text(draft.body).strip():
        raise ReplyRefused("Write the email's text.")


@transaction.atomic
def send_reply(*, inquiry: Inquiry, draft: ReplyDraft, by) -> tuple[OutboxMessage, bool]:
    """Store the reply as an outbox row to the patient's own email and log it as a contact attempt
    (email, "sent an email"; the audit entry names the template, never the text), in one
    transaction; the email is queued after commit and sent by the worker like the hand-off.

    Returns (row, True), or (the row stored before, False) when this form's token was sent already:
    a form submitted twice sends one email. Raises ReplyRefused, storing nothing, if check_reply
    refuses it or the token belongs to another inquiry's reply.
    """
    current = _locked(inquiry)  # two submits of one form queue here; the second finds the first
    existing = OutboxMessage.objects.filter(token=draft.token).first()
    if existing is not None:
        if existing.inquiry_id != current.pk:
            raise ReplyRefused("This form was already used for another inquiry. Open the reply page again.")
        return existing, False
    check_reply(inquiry=current, draft=draft)
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                kind=OutboxMessage.Kind.REPLY,
                inquiry=current,
                subject=reply_subject(draft.subject, current.reference or ""),
                body=plain_text(draft.body).strip(),
                template=draft.template,
                token=draft.token,
            )
    except IntegrityError:  # the same token committed meanwhile (SQLite has no row lock)
        return OutboxMessage.objects.get(token=draft.token, inquiry=current), False
    name = draft.template.name if draft.template else "no template"
    log_contact_attempt(
        inquiry=inquiry,
        channel=ContactAttempt.Channel.EMAIL,
        outcome=ContactAttempt.Outcome.EMAILED,
        by=by,
        note=f"Reply from the template “{name}”" if draft.template else "Reply typed without a template",
        detail={"email": message.pk, "template": name},
    )
    transaction.on_commit(partial(enqueue, tasks.deliver_outbox_message, message.pk))
    logger.info("intake: %s reply %s queued by user %s", current.reference, message.pk, getattr(by, "pk", None))
    return message, True
