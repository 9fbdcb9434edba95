from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Treatment


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "modified_at").order_by("-published_on", "pk")

    def lastmod(self, item):
        return item.modified_at


class TreatmentSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7

    def items(self):
        return Treatment.objects.all()


class ArticleIndexSitemap(Sitemap):
    """The lists: all articles, all treatments."""

    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return ["articles:list", "articles:treatment_list"]

    def location(self, item):
        return reverse(item)
