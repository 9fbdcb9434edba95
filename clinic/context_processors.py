import clinic.site

from .models import Office


def site(request):
    """The clinic's chrome for every page: its name, navigation, offices and disclaimer."""
    path = request.path
    return {
        "clinic_name": clinic.site.CLINIC_NAME,
        "clinic_full_name": clinic.site.CLINIC_FULL_NAME,
        "disclaimer": clinic.site.DISCLAIMER,
        "nav_items": [
            {"label": label, "url": url, "current": path.startswith(url)} for label, url in clinic.site.NAVIGATION
        ],
        "candidate_url": clinic.site.CANDIDATE_PATH,
        "ask_url": clinic.site.ASK_PATH,
        # Lazy: evaluated once, only by the templates that show offices.
        "offices": Office.objects.all(),
    }
