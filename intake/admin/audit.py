"""The audit trail of an inquiry, as staff read it (rows for the change page and the trail page)."""

from intake import services
from intake.models import Inquiry

from .display import user_label


def describe_entry(entry) -> str:
    """One audit entry in words: "Status: New → Contacted", "Downloaded the image", ..."""
    event = (entry.additional_data or {}).get("event")
    if event:
        return services.EVENT_LABELS.get(event, event)
    action = entry.Action
    if entry.action == action.CREATE:
        return "Received through the web site"
    if entry.action == action.DELETE:
        return "Deleted"
    if entry.action == action.ACCESS:
        return services.EVENT_LABELS[services.EVENT_VIEWED]
    labels = {
        "status": dict(Inquiry.Status.choices),
        "priority": {str(value): label for value, label in Inquiry.Priority.choices},
    }
    parts = []
    for field, (old, new) in sorted((entry.changes_dict or {}).items()):
        names = labels.get(field, {})
        old, new = (names.get(v, "nobody" if v == "None" else v) for v in (old, new))
        parts.append(f"{field.capitalize()}: {old} → {new}")
    return "; ".join(parts) or "Changed"


def entry_actor(entry) -> str:
    if entry.actor is not None:
        return user_label(entry.actor)
    if entry.actor_email:
        return f"{entry.actor_email} (account removed)"
    return "the web form" if entry.action == entry.Action.CREATE else "system"


def audit_rows(entries) -> list[dict]:
    return [
        {"when": entry.timestamp, "who": entry_actor(entry), "what": describe_entry(entry), "ip": entry.remote_addr}
        for entry in entries
    ]
