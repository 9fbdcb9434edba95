from django.conf import settings
from django.views.generic import DetailView, ListView

from articles.jsonld import person
from clinic import jsonld, site
from clinic.pagecache import cached_page

from . import links
from .models import CaseStudy


@cached_page("page")
class CaseStudyListView(ListView):
    template_name = "casestudies/casestudy_list.html"
    context_object_name = "case_studies"

    def get_queryset(self):
        return links.cards()


@cached_page()
class CaseStudyDetailView(DetailView):
    context_object_name = "case"

    def get_queryset(self):
        # Treatments and related articles come from the case's card (casestudies.links).
        return CaseStudy.objects.select_related("source__article", "reviewer__office").prefetch_related(
            "steps", "measurements"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        card = links.card(case.pk)
        context["treatments"] = card.treatments.all() if card else ()
        context["related_articles"] = [a for a in card.related_articles.all() if a.is_public] if card else []
        drawn = links.charts_by_case().get(case.pk)  # drawn once per content version
        context["charts"] = drawn if drawn is not None else links.draw_charts(case)
        context["canonical_url"] = site.absolute_url(case.get_absolute_url())
        context["jsonld"] = jsonld.dumps(medical_web_page(case, site_url=settings.SITE_URL))
        source = case.source
        # Link into the article's reference list only where a patient can open the article.
        if source is not None and source.article.is_public:
            context["source_url"] = f"{source.article.get_absolute_url()}#ref-{source.number}"
        return context


def medical_web_page(case: CaseStudy, *, site_url: str) -> dict:
    """schema.org MedicalWebPage for a case history: about the condition, citing its source."""
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": case.title,
        "url": site_url + case.get_absolute_url(),
        "about": {
            "@type": "MedicalCondition",
            "name": case.condition,
            "associatedAnatomy": {"@type": "AnatomicalStructure", "name": "Knee"},
        },
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
    }
    if case.last_reviewed_on:
        data["lastReviewed"] = case.last_reviewed_on.isoformat()
    if case.reviewer_id:
        data["reviewedBy"] = person(case.reviewer, site_url=site_url)
    reference = case.source
    if reference is not None:
        citation = {
            "@type": "ScholarlyArticle",
            "headline": reference.title,
            "author": reference.authors,
            "isPartOf": {"@type": "Periodical", "name": reference.journal},
            "datePublished": str(reference.year),
        }
        if reference.volume_pages:
            citation["pagination"] = reference.volume_pages
        if reference.doi:
            citation["sameAs"] = f"https://doi.org/{reference.doi}"
        data["citation"] = citation
    return data
