from django import template

from articles.reviews import review_queue

register = template.Library()


@register.simple_tag(takes_context=True)
def medical_review_queue(context):
    """The review queue for the admin home, for staff who may change articles; None otherwise."""
    user = context["request"].user
    if not (user.has_perm("articles.change_article") or user.has_perm("casestudies.change_casestudy")):
        return None
    return review_queue()
