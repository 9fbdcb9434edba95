"""The clinic's identity, shown in every page's chrome."""

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
