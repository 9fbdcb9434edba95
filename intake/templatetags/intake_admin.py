from django import template
from django.conf import settings

from intake import services

register = template.Library()


@register.simple_tag(takes_context=True)
def triage_counts(context):
    """The admin index's counts (services.triage_counts), for staff who may view inquiries."""
    request = context.get("request")
    if request is None or not request.user.has_perm("intake.view_inquiry"):
        return None
    return {**services.triage_counts(user=request.user), "soon_hours": settings.TRIAGE_DUE_SOON_HOURS}


@register.simple_tag(takes_context=True)
def failed_emails(context):
    """How many emails are marked failed, for staff who may view inquiries (None for others)."""
    request = context.get("request")
    if request is None or not request.user.has_perm("intake.view_inquiry"):
        return None
    return services.failed_count()


@register.simple_tag(takes_context=True)
def due_inquiries(context):
    """The overdue and due-soon inquiries (services.due_list), for staff who may view inquiries."""
    request = context.get("request")
    if request is None or not request.user.has_perm("intake.view_inquiry"):
        return None
    return services.due_list()


@register.tag(name="inquiry_result_list")
def inquiry_result_list(parser, token):
    """Django's {% result_list cl %} for the inquiry list, with rows rendered by intake.admin.rows."""
    from django.contrib.admin.templatetags.base import InclusionAdminNode

    return InclusionAdminNode(
        parser, token, func=_inquiry_results, template_name="change_list_results.html", takes_context=False
    )


def _inquiry_results(cl):
    from intake.admin import rows

    return rows.fast_result_list(cl)
