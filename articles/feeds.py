import datetime

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from clinic import site
from clinic.pagecache import cached_page

from .models import Article, ArticleAuthor


@cached_page()
class ArticleFeed(Feed):
    """An Atom feed of the newest published articles."""

    feed_type = Atom1Feed
    title = f"{site.CLINIC_NAME}: articles"
    subtitle = (
        "The clinic's articles on dextrose Prolotherapy, Platelet Rich Plasma and bone marrow aspirate for knee pain."
    )
    link = reverse_lazy("articles:list")
    feed_url = reverse_lazy("articles:feed")
    author_name = site.CLINIC_FULL_NAME

    def items(self):
        authors = ArticleAuthor.objects.select_related("author").order_by("order")
        return (
            Article.objects.published()
            .prefetch_related(Prefetch("articleauthor_set", queryset=authors, to_attr="author_links"))
            .defer("body", "body_html", "body_text")
            .order_by("-published_on", "-modified_at")[:20]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_author_name(self, item):
        return ", ".join(str(link.author) for link in item.author_links) or site.CLINIC_NAME

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.datetime.combine(item.published_on, datetime.time.min))

    def item_updateddate(self, item):
        return item.modified_at

    def item_guid(self, item):
        return site.absolute_url(item.get_absolute_url())
