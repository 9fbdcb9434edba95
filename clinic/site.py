"""The clinic's identity, shown in every page's chrome, and the site's public address."""

from django.conf import settings

CLINIC_NAME = "Caring Medical"
CLINIC_FULL_NAME = "Caring Medical Regenerative Medicine Clinics"
TAGLINE = "Regenerative medicine for knee pain: Prolotherapy, PRP and bone marrow aspirate"
DISCLAIMER = (
    "We are an out-of-network provider. Treatments discussed on this site may or may not work "
    "for your specific condition."
)

# The main navigation: (label, path). Paths are the site's public addresses, fixed by design.
NAVIGATION = [
    ("Treatments", "/treatments/"),
    ("Articles", "/articles/"),
    ("Case studies", "/case-studies/"),
    ("Ask our staff", "/ask/"),
]
CANDIDATE_PATH = "/candidate/"
ASK_PATH = "/ask/"


def absolute_url(path: str) -> str:
    """The public address of a site path (SITE_URL + path): canonical links, feeds and og: tags.

    Built from SITE_URL, never from the request's Host header, so a page names the one address
    search engines should keep whatever host it was asked for by.
    """
    return settings.SITE_URL + path
