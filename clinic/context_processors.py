from . import site
from .models import Office


def chrome(request):
    """The clinic's chrome for every page: its name, navigation, offices, disclaimer and the page's
    canonical URL (a view that knows better, e.g. one with a query string, sets its own)."""
    path = request.path
    return {
        "clinic_name": site.CLINIC_NAME,
        "clinic_full_name": site.CLINIC_FULL_NAME,
        "disclaimer": site.DISCLAIMER,
        "nav_items": [{"label": label, "url": url, "current": path.startswith(url)} for label, url in site.NAVIGATION],
        "candidate_url": site.CANDIDATE_PATH,
        "ask_url": site.ASK_PATH,
        "canonical_url": site.absolute_url(path),
        # Lazy: evaluated once, only by the templates that show offices.
        "offices": Office.objects.all(),
    }
