from django.utils.functional import SimpleLazyObject

from . import site as identity
from .models import Office
from .pagecache import per_content_version


@per_content_version
def offices() -> tuple[Office, ...]:
    """The offices in the footer: read once per content version, not on every page."""
    return tuple(Office.objects.all())


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
        # Lazy: read only by the templates that show offices.
        "offices": SimpleLazyObject(offices),
    }
