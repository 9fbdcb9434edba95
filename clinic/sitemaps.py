from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class StaticPageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return ["clinic:home", "clinic:contact", "clinic:privacy", "clinic:editorial_policy", "clinic:accessibility"]

    def location(self, item):
        return reverse(item)
