from . import site as identity
from .models import Office


def site(request):
    """The clinic's chrome for every page: its name, navigation, offices and disclaimer."""
    path = request.path
    return {
        "clinic_name": identity.CLINIC_NAME,
        "clinic_full_name": identity.CLINIC_FULL_NAME,
        "disclaimer": identity.DISCLAIMER,
        "nav_items": [
            {"label": label, "url": url, "current": path.startswith(url)} for label, url in identity.NAVIGATION
        ],
        "candidate_url": identity.CANDIDATE_PATH,
        "ask_url": identity.ASK_PATH,
        # Lazy: evaluated once, only by the templates that show offices.
        "offices": Office.objects.all(),
    }
