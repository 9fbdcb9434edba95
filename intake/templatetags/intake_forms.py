from django import template

from intake.messages import error_summary as summary

register = template.Library()


@register.simple_tag
def error_summary(form) -> list[tuple[str, str]]:
    """(control id, message) for every error of `form`, for templates/intake/includes/form_errors.html."""
    return summary(form) if form.errors else []
