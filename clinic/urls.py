from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import ArticleIndexSitemap, ArticleSitemap, TreatmentSitemap
from casestudies.sitemaps import CaseStudySitemap

from . import media, metrics, outage, staff, views
from .pagecache import cached_page
from .sitemaps import StaticPageSitemap

# A lost database connection answers 503 (a form POST gets its form back whole); see clinic/outage.py.
handler500 = outage.server_error
handler400 = outage.bad_request

admin.site.site_header = "Caring Medical staff"
admin.site.site_title = "Caring Medical staff"
admin.site.index_title = "Inquiries and content"

# Each app adds its own sitemap section here.
sitemaps = {
    "pages": StaticPageSitemap,
    "articles": ArticleSitemap,
    "article-indexes": ArticleIndexSitemap,
    "treatments": TreatmentSitemap,
    "case-studies": CaseStudySitemap,
}

site_patterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("contact/", views.ContactView.as_view(), name="contact"),
    path("privacy/", views.PrivacyView.as_view(), name="privacy"),
    path("editorial-policy/", views.EditorialPolicyView.as_view(), name="editorial_policy"),
    path("accessibility/", views.AccessibilityView.as_view(), name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("metrics", metrics.metrics_view, name="metrics"),
]

urlpatterns = [
    path("", include((site_patterns, "clinic"))),
    path("", include("articles.urls")),
    path("", include("casestudies.urls")),
    path("", include("intake.urls")),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Not page-cached: a static file, which browsers keep a day (its own Cache-Control).
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", cached_page()(sitemap), {"sitemaps": sitemaps}, name="django.contrib.sitemaps.views.sitemap"),
    # Before admin's own URLs, which would otherwise answer for everything under admin/.
    path("admin/two-factor/", include((staff.urlpatterns, "staff"))),
    path("admin/", admin.site.urls),
    # Public uploads (article and author images), served by the site itself: see clinic/media.py.
    path("media/<path:path>", media.serve_public_media, name="media"),
]
