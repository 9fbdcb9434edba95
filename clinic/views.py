from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from articles import links as article_links
from articles.models import Article
from casestudies import links as case_links

from . import health, jsonld, privacy
from .models import Office
from .pagecache import cached_page


@cached_page()
class HomeView(TemplateView):
    template_name = "clinic/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["treatments"] = article_links.treatments()
        context["latest_articles"] = Article.objects.published().defer("body", "body_html", "body_text")[:3]
        context["case_studies"] = case_links.cards()[:3]
        return context


@cached_page()
class ContactView(TemplateView):
    template_name = "clinic/contact.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        offices = list(Office.objects.prefetch_related("hours"))
        context["office_list"] = offices
        context["jsonld"] = jsonld.dumps(
            {
                "@context": "https://schema.org",
                "@graph": [jsonld.medical_clinic(office, site_url=settings.SITE_URL) for office in offices],
            }
        )
        return context


@cached_page()
class PrivacyView(TemplateView):
    template_name = "clinic/privacy.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "notice": privacy.current_notice()}


@cached_page()
class EditorialPolicyView(TemplateView):
    """Who writes, who reviews, how often, how corrections are made, and the conflict of interest."""

    template_name = "clinic/editorial_policy.html"

    def get_context_data(self, **kwargs):
        from articles.models import Author

        context = super().get_context_data(**kwargs)
        context["authors"] = Author.objects.all()
        context["canonical_url"] = settings.SITE_URL + reverse("clinic:editorial_policy")
        return context


@require_GET
def favicon(request):
    """/favicon.ico, which browsers ask for by name; the same icon as static/favicon.svg."""
    path = finders.find("favicon.ico")
    if path is None:
        raise Http404("no favicon")
    response = HttpResponse(Path(path).read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
@require_GET
def livez(request):
    """Liveness: this process answers requests. Touches nothing else, so a database or Redis outage
    never gets a healthy container restarted (/healthz is the readiness probe)."""
    return JsonResponse({"status": "ok"})


class AccessibilityView(TemplateView):
    template_name = "clinic/accessibility.html"


@never_cache
@require_GET
def healthz(request):
    states = health.check_all()
    down = [name for name, state in states.items() if state == health.DOWN]
    body = {"status": "down" if down else "ok", "down": down, **states, "details": health.details()}
    return JsonResponse(body, status=503 if down else 200)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /healthz",
        "Disallow: /livez",
        "Disallow: /metrics",
        f"Sitemap: {request.build_absolute_uri(reverse('django.contrib.sitemaps.views.sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
