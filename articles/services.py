"""Writes for articles: rendering a changed body, making image renditions.

The admin and the content loader call these after a save; page views only read what they stored.
They write with queryset updates, which send no signal, so each retires the cached pages itself.
"""

from django.db import transaction
from django.utils import timezone

from clinic import pagecache

from .images import make_renditions
from .models import Article, Author, Treatment
from .rendering import render_body


@transaction.atomic
def render_article(*, article: Article) -> bool:
    """Render `article.body` (Markdown) to sanitised HTML, plain text, a table of contents and
    citation counts, and store them on the row.

    Call it after the article's references are saved: only numbers that exist become links.
    Writes only when the result differs (then `modified_at` moves, so Last-Modified does too);
    returns whether it wrote. Safe to rerun.
    """
    numbers = set(article.references.values_list("number", flat=True))
    rendered = render_body(article.body, reference_numbers=numbers)
    values = {
        "body_html": rendered.html,
        "body_text": rendered.text,
        "toc": rendered.toc,
        "citations": rendered.citations,
    }
    if all(getattr(article, name) == value for name, value in values.items()):
        return False
    values["modified_at"] = timezone.now()
    Article.objects.filter(pk=article.pk).update(**values)
    pagecache.content_changed()
    for name, value in values.items():
        setattr(article, name, value)
    return True


def render_treatment(*, treatment: Treatment) -> bool:
    """Render the treatment page's Markdown `body` to sanitised HTML and store it if it changed.
    Returns whether it wrote. Safe to rerun."""
    html = render_body(treatment.body, reference_numbers=set()).html if treatment.body else ""
    if html == treatment.body_html:
        return False
    Treatment.objects.filter(pk=treatment.pk).update(body_html=html)
    pagecache.content_changed()
    treatment.body_html = html
    return True


@transaction.atomic
def refresh_article_hero(*, article: Article) -> None:
    """Make (or drop) the resized copies of the article's hero image. Safe to rerun: existing
    renditions are reused; the stored list is rewritten only when it changes."""
    renditions = make_renditions(article.hero_image) if article.hero_image else []
    if renditions != article.hero_renditions:
        Article.objects.filter(pk=article.pk).update(hero_renditions=renditions, modified_at=timezone.now())
        pagecache.content_changed()
        article.hero_renditions = renditions


@transaction.atomic
def refresh_author_photo(*, author: Author) -> None:
    """Make (or drop) the resized copies of an author's photo. Safe to rerun."""
    renditions = make_renditions(author.photo) if author.photo else []
    if renditions != author.photo_renditions:
        Author.objects.filter(pk=author.pk).update(photo_renditions=renditions)
        pagecache.content_changed()
        author.photo_renditions = renditions
