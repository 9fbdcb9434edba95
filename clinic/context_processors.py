from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject, lazy
from django.utils.safestring import SafeString

from . import site as identity
from .models import Office
from .pagecache import per_content_version

# What the chrome shows that is the same on every page.
CHROME = {
    "clinic_name": identity.CLINIC_NAME,
    "clinic_full_name": identity.CLINIC_FULL_NAME,
    "disclaimer": identity.DISCLAIMER,
    "candidate_url": identity.CANDIDATE_PATH,
    "ask_url": identity.ASK_PATH,
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


def site(request):
    """The clinic's chrome for every page: its name, navigation, offices, footer and disclaimer."""
    path = request.path
    return {
        **CHROME,
        "nav_items": [
            {"label": label, "url": url, "current": path.startswith(url)} for label, url in identity.NAVIGATION
        ],
        # Lazy: made only by the templates that show them.
        "offices": SimpleLazyObject(offices),
        "site_footer": lazy(footer, SafeString)(),
    }
