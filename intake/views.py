import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView, View
from django_ratelimit.core import is_ratelimited

from articles.models import Article

from . import proof_of_work, services
from .formhtml import form_html
from .forms import AppointmentForm, CandidateForm, NewsletterForm, QuestionForm
from .image_slots import NoImageSlot, image_slot
from .models import Inquiry
from .outage import offline_form
from .reading import reading_for
from .sections import CANDIDATE_SECTIONS
from .services.answer_time import answer_by

logger = logging.getLogger(__name__)

THANKS_SESSION_KEY = "intake_thanks"
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")
PICTURE_NOT_KEPT = "A picture was sent and not kept: pictures are read only from forms that pass the spam checks"
IMAGE_NOT_STORED = (
    "We could not save your image just now, so your form has not been sent yet. Everything you typed "
    "is still here: please send it again in a few minutes, or without the image."
)
IMAGES_BUSY = (
    "Many pictures are being sent to us right now, so your form has not been sent yet. Everything you "
    "typed is still here: please choose the image again and send the form in a minute."
)
RATE_LIMITED = (
    "You have sent several forms from this connection in a short time. Please try again in an hour, "
    "or call either office: we are glad to help by phone."
)


def rate_limited(request, group: str) -> bool:
    """Count this submission against the per-IP limit; True if over it.

    Fails open: when the cache (Redis) is down the submission goes through, because a patient's
    inquiry matters more than a few minutes without a rate limit, and the proof of work, honeypot
    and fill-time checks still apply.
    """
    try:
        return is_ratelimited(
            request, group=f"intake.{group}", key="ip", rate=settings.INTAKE_RATE_LIMIT, method="POST", increment=True
        )
    except Exception as exc:  # any cache failure: let the patient through
        logger.warning("intake: rate limit not checked, cache unavailable (%s)", type(exc).__name__)
        return False


@method_decorator(never_cache, name="dispatch")
class InquiryFormView(FormView):
    kind: str

    def post(self, request, *args, **kwargs):
        # A POST carrying a file counts toward the rate limit whether or not the form is valid.
        self.over_limit = rate_limited(request, self.kind) if request.FILES else None
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        over_limit = self.over_limit if self.over_limit is not None else rate_limited(self.request, self.kind)
        if over_limit:
            form.add_error(None, RATE_LIMITED)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        image = None
        sent = form.cleaned_data.get("image")  # most forms carry none: no slot, no file, no decoding
        if sent and form.spam_reasons:
            # Held as suspected spam: its picture is never decoded (a bot's upload costs nothing), and
            # staff see that one was sent.
            form.spam_reasons.append(PICTURE_NOT_KEPT)
        elif sent:
            try:
                form.check_image_header()  # a picture refused by its header never waits for a slot
                with image_slot():
                    image = form.checked_image()  # decoded only now: valid form, spam checks passed, within the limit
            except ValidationError as exc:
                form.add_error("image", exc)
                return self.form_invalid(form)
            except NoImageSlot:
                form.add_error("image", IMAGES_BUSY)
                return self.render_to_response(self.get_context_data(form=form), status=503)
        try:
            inquiry, _ = services.submit_inquiry(
                kind=self.kind,
                submission_token=form.cleaned_data["submission_token"],
                answers=self.answers(form),
                image=image,
                spam_reasons=form.spam_reasons,
            )
        except services.ImageNotStored:
            form.add_error("image", IMAGE_NOT_STORED)
            return self.render_to_response(self.get_context_data(form=form), status=503)
        self.request.session[THANKS_SESSION_KEY] = inquiry.pk
        return redirect("intake:thanks")

    def answers(self, form) -> dict:
        return form.answers()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # An empty form's layout is rendered once per content version (intake.formhtml).
        context["form_html"] = form_html(context["form"])
        return context

    def outage_response(self):
        """503 with the form and everything typed (the picture aside), drawn without the database;
        called by clinic.outage.server_error when the database is down during this POST."""
        form = offline_form(self.get_form_class()(data=self.request.POST), image_sent=bool(self.request.FILES))
        try:
            context = self.get_context_data(form=form)
        except DatabaseError:  # the page's extras (the article asked from) need the database
            context = {"form": form, "view": self}
        context["offices"] = ()  # the footer's office list needs the database
        return self.render_to_response(context, status=503).render()


class CandidateView(InquiryFormView):
    kind = Inquiry.Kind.CANDIDATE
    form_class = CandidateForm
    template_name = "intake/inquiry_candidate.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sections=CANDIDATE_SECTIONS, **kwargs)


class AskView(InquiryFormView):
    kind = Inquiry.Kind.QUESTION
    form_class = QuestionForm
    template_name = "intake/inquiry_question.html"

    def article(self) -> Article | None:
        slug = self.request.POST.get("article_slug") or self.request.GET.get("article") or ""
        if not SLUG.fullmatch(slug):
            return None  # not a slug at all (too long, NUL, markup): ignored, never an error
        return Article.objects.published().filter(slug=slug).first()

    def get_initial(self):
        article = self.article()
        return {"article_slug": article.slug if article else ""}

    def get_context_data(self, **kwargs):
        return super().get_context_data(article=self.article(), **kwargs)

    def answers(self, form) -> dict:
        return {**form.answers(), "article": self.article()}


class AppointmentView(InquiryFormView):
    kind = Inquiry.Kind.APPOINTMENT
    form_class = AppointmentForm
    template_name = "intake/inquiry_appointment.html"


@method_decorator(never_cache, name="dispatch")
class ThanksView(TemplateView):
    """Thanks, the reference, what happens next, and reading that matches the answers.

    The inquiry comes from the session, never from the URL, so nobody can page through others'.
    """

    template_name = "intake/inquiry_thanks.html"

    def get(self, request, *args, **kwargs):
        pk = request.session.get(THANKS_SESSION_KEY)
        self.inquiry = Inquiry.objects.select_related("office").filter(pk=pk).first() if pk else None
        if self.inquiry is None:
            return redirect("clinic:home")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            inquiry=self.inquiry,
            answer_by=answer_by(sent_at=self.inquiry.submitted_at, office=self.inquiry.office),
            reading=reading_for(self.inquiry),
            **kwargs,
        )


@never_cache
def altcha_challenge(request):
    """A fresh proof-of-work challenge for the forms' widget (intake.proof_of_work)."""
    return JsonResponse(proof_of_work.new_challenge())


# --- The e-newsletter --------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class NewsletterView(FormView):
    form_class = NewsletterForm
    template_name = "intake/subscriber_form.html"

    def form_valid(self, form):
        if rate_limited(self.request, "newsletter"):
            form.add_error(None, RATE_LIMITED)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        services.request_subscription(email=form.cleaned_data["email"])
        # The same page whatever the address's state: it reveals nothing about who subscribes.
        return redirect("intake:newsletter_sent")


class NewsletterSentView(TemplateView):
    template_name = "intake/subscriber_sent.html"


class _SignedLinkView(View):
    purpose: str
    template_name: str
    done_template_name: str

    def dispatch(self, request, *args, token: str = "", **kwargs):
        self.subscriber = services.subscriber_from_token(token, purpose=self.purpose)
        if self.subscriber is None:
            return render(request, "intake/subscriber_link_invalid.html", status=404)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        # Email scanners open links: a GET only shows the button, the POST does the change.
        return render(request, self.template_name, {"subscriber": self.subscriber})


@method_decorator(never_cache, name="dispatch")
class NewsletterConfirmView(_SignedLinkView):
    purpose = "confirm"
    template_name = "intake/subscriber_confirm.html"

    def post(self, request):
        services.confirm_subscription(subscriber=self.subscriber)
        return render(request, "intake/subscriber_confirmed.html")


# One-click unsubscribe (RFC 8058): mail clients POST to the link without a CSRF token; the
# signature in the link is what authorises it.
@method_decorator([never_cache, csrf_exempt], name="dispatch")
class NewsletterUnsubscribeView(_SignedLinkView):
    purpose = "unsubscribe"
    template_name = "intake/subscriber_unsubscribe.html"

    def post(self, request):
        services.unsubscribe(subscriber=self.subscriber)
        return render(request, "intake/subscriber_unsubscribed.html", {"subscribe_url": reverse("intake:newsletter")})
