import datetime
import re
from urllib.parse import quote

from django.conf import settings
from django.db.models import Max, Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.views.decorators.http import last_modified
from django.views.generic import DetailView, ListView, TemplateView

# The case histories app adds its cards to these pages (it builds on articles; its links are read-only).
from casestudies import links as case_links
from clinic import jsonld as clinic_jsonld
from clinic import site
from clinic.pagecache import cached_page

from . import jsonld, links
from .models import Article, ArticleAuthor, Treatment
from .rendering import citation_anchor
from .search import search

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")


def _latest_change(queryset):
    """Last-Modified for a page listing published articles.

    Never earlier than today's midnight: an article scheduled for today becomes public without
    its row changing, and a browser asking "modified since yesterday?" must see it.
    """
    latest = queryset.aggregate(latest=Max("modified_at"))["latest"]
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    return max(latest, midnight) if latest else midnight


def list_last_modified(request, *args, **kwargs):
    return _latest_change(Article.objects.published())


def can_preview(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("articles.view_article")


@cached_page("page", "treatment")
@method_decorator(last_modified(list_last_modified), name="dispatch")
class ArticleListView(ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = 10

    def get_queryset(self):
        articles = Article.objects.published().prefetch_related("treatments").defer("body", "body_html", "body_text")
        self.treatment = None
        slug = self.request.GET.get("treatment")
        if slug:
            # Not a slug at all (a NUL byte, markup, megabytes) is no treatment either: a 404 without
            # asking the database, which would refuse a NUL with an error.
            self.treatment = Treatment.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
            if self.treatment is None:
                raise Http404("No such treatment")
            articles = articles.filter(treatments=self.treatment)
        return articles.order_by("-published_on", "title")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["treatments"] = links.treatments()
        context["current_treatment"] = self.treatment
        canonical = site.absolute_url(reverse("articles:list"))
        if self.treatment:
            canonical += f"?treatment={quote(self.treatment.slug)}"
        context["canonical_url"] = canonical
        return context


@cached_page()
class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        authors = ArticleAuthor.objects.select_related("author__office").order_by("order")
        articles = Article.objects.all() if can_preview(self.request.user) else Article.objects.published()
        return articles.select_related("reviewer__office").prefetch_related(
            Prefetch("articleauthor_set", queryset=authors, to_attr="author_links"),
            "references",
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not context["is_preview"]:
            # ConditionalGetMiddleware answers If-Modified-Since with it (staff previews: never).
            response["Last-Modified"] = http_date(self.object.modified_at.timestamp())
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        url = site.absolute_url(article.get_absolute_url())
        context["canonical_url"] = url
        context["authors"] = [link.author for link in article.author_links]
        context["is_preview"] = not article.is_public
        context["treatments"] = links.treatments_of(article)
        context["case_studies"] = case_links.about_article(article)
        hero = article.hero_picture
        context["og_image"] = site.absolute_url(hero["src"]) if hero else ""
        context["ask_article_url"] = f"{site.ASK_PATH}?article={quote(article.slug)}"
        body = f"{article.summary}\n\n{url}"
        context["email_href"] = f"mailto:?subject={quote(article.title)}&body={quote(body)}"
        # Each reference links back to every place the text cites it.
        context["references"] = [
            (ref, [citation_anchor(ref.number, n) for n in range(1, article.citations.get(str(ref.number), 0) + 1)])
            for ref in article.references.all()
        ]
        context["jsonld"] = clinic_jsonld.dumps(
            jsonld.medical_web_page(
                article, authors=context["authors"], treatments=context["treatments"], site_url=settings.SITE_URL
            )
        )
        return context


@cached_page()
class TreatmentListView(ListView):
    template_name = "articles/treatment_list.html"
    context_object_name = "treatments"

    def get_queryset(self):
        return links.treatments()


# No Last-Modified here: a treatment row keeps no change time, so only the ETag can tell.
@cached_page()
class TreatmentDetailView(DetailView):
    template_name = "articles/treatment_detail.html"
    context_object_name = "treatment"

    def get_queryset(self):
        return Treatment.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["articles"] = (
            Article.objects.published()
            .filter(treatments=self.object)
            .defer("body", "body_html", "body_text")
            .order_by("-published_on", "title")
        )
        context["case_studies"] = case_links.with_treatment(self.object.pk)
        context["canonical_url"] = site.absolute_url(self.object.get_absolute_url())
        return context


class SearchView(TemplateView):
    """The site search (articles, treatments, case histories); not page-cached: every query differs."""

    template_name = "articles/article_search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = search(self.request.GET.get("q"))
        context["results"] = results
        context["query"] = results.query
        context["hits"] = results.hits
        context["searched"] = "q" in self.request.GET
        return context
