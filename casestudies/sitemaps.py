from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import CaseStudy


class CaseStudySitemap(Sitemap):
    """The case studies' list page and every case history."""

    changefreq = "yearly"
    priority = 0.6

    def items(self):
        return ["casestudies:list", *CaseStudy.objects.all()]

    def location(self, item):
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()
