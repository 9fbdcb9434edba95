"""schema.org JSON-LD for pages, safe to drop into a <script type="application/ld+json"> block."""

import json

from django.utils.safestring import SafeString, mark_safe

from . import hours
from .models import Office

# The same escapes as Django's json_script: the JSON can never close the script element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def dumps(data: dict) -> SafeString:
    return mark_safe(json.dumps(data, ensure_ascii=False, indent=None).translate(_ESCAPES))


def medical_clinic(office: Office, *, site_url: str) -> dict:
    data = {
        "@type": "MedicalClinic",
        "name": office.name,
        "url": site_url + "/",
        "telephone": office.phone,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": office.street,
            "addressLocality": office.city,
            "addressRegion": office.region,
            "postalCode": office.postal_code,
            "addressCountry": office.country,
        },
        "isAcceptingNewPatients": True,
    }
    if office.fax:
        data["faxNumber"] = office.fax
    week = {row.weekday: (row.opens, row.closes) for row in office.hours.all()}
    if week:
        data["openingHours"] = hours.schema_org(hours.Schedule(office.time_zone, week))
    return data
