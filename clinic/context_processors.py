from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject, lazy
from django.utils.safestring import SafeString

from . import site
from .models import Office
from .pagecache import per_content_version

# What the chrome shows that is the same on every page.
CHROME = {
    "clinic_name": site.CLINIC_NAME,
    "clinic_full_name": site.CLINIC_FULL_NAME,
    "disclaimer": site.DISCLAIMER,
    "candidate_url": site.CANDIDATE_PATH,
    "ask_url": site.ASK_PATH,
}


@per_content_version
def offices() -> tuple[Office, ...]:
    """The offices: read once per content version, not on every page."""
    return tuple(Office.objects.all())


@per_content_version
def footer() -> SafeString:
    """The footer (offices, links, disclaimer) rendered once per content version: it is the same
    on every page."""
    return render_to_string("includes/footer.html", {**CHROME, "offices": offices()})


def chrome(request):
    """The clinic's chrome for every page: its name, navigation, offices, footer, disclaimer and the
    page's canonical URL (a view that knows better, e.g. one with a query string, sets its own)."""
    path = request.path
    return {
        **CHROME,
        "nav_items": [{"label": label, "url": url, "current": path.startswith(url)} for label, url in site.NAVIGATION],
        "canonical_url": site.absolute_url(path),
        # Lazy: made only by the templates that show them.
        "offices": SimpleLazyObject(offices),
        "site_footer": lazy(footer, SafeString)(),
    }
