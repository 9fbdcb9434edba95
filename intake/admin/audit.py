"""The audit trail of an inquiry, as staff read it (rows for the change page and the trail page)."""

from django.contrib.auth import get_user_model

from intake import services
from intake.models import ContactAttempt, Inquiry

from .display import format_when, user_label


def describe_entry(entry, names: dict[str, str] | None = None) -> str:
    """One audit entry in words: "Status: New → Contacted", "Downloaded the image", ..."""
    data = entry.additional_data or {}
    event = data.get("event")
    if event == services.EVENT_ATTEMPT_LOGGED and data.get("outcome") in ContactAttempt.Outcome.values:
        text = f"{services.EVENT_LABELS[event]}: {ContactAttempt.Outcome(data['outcome']).label.lower()}"
        # A reply from the inquiry's page names its template (services.send_reply), never its text.
        return f"{text} (reply: {data['template']})" if data.get("template") else text
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
        "assignee": names or {},
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


def staff_names(entries) -> dict[str, str]:
    """Full names of the staff an assignee change names (the audit log stores the username)."""
    usernames = {
        value for entry in entries for value in (entry.changes_dict or {}).get("assignee", []) if value != "None"
    }
    users = get_user_model().objects.filter(username__in=usernames) if usernames else []
    return {user.get_username(): user_label(user) for user in users}


def audit_rows(entries) -> list[dict]:
    entries = list(entries)
    names = staff_names(entries)
    return [
        {
            "when": format_when(entry.timestamp),
            "who": entry_actor(entry),
            "what": describe_entry(entry, names),
            "ip": entry.remote_addr,
        }
        for entry in entries
    ]
