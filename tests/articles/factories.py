import datetime

from articles import services
from articles.models import Article, ArticleAuthor, Author, Reference, Treatment
from articles.search import rebuild_index


def make_treatment(**values) -> Treatment:
    values.setdefault("slug", f"treatment-{Treatment.objects.count() + 1}")
    values.setdefault("name", values["slug"].replace("-", " ").title())
    values.setdefault("description", "A treatment.")
    return Treatment.objects.create(**values)


def make_author(**values) -> Author:
    values.setdefault("slug", f"author-{Author.objects.count() + 1}")
    values.setdefault("name", values["slug"].replace("-", " ").title())
    values.setdefault("credentials", "MD")
    return Author.objects.create(**values)


def make_article(*, authors=(), treatments=(), references=0, **values) -> Article:
    """An article saved and rendered the way the admin and the loader do it."""
    values.setdefault("slug", f"article-{Article.objects.count() + 1}")
    values.setdefault("title", values["slug"].replace("-", " ").capitalize())
    values.setdefault("summary", "A summary.")
    values.setdefault("body", "## Section\n\nText citing (1).\n")
    values.setdefault("status", Article.Status.PUBLISHED)
    values.setdefault("published_on", datetime.date(2024, 1, 1))
    article = Article.objects.create(**values)
    for order, author in enumerate(authors):
        ArticleAuthor.objects.create(article=article, author=author, order=order)
    article.treatments.set(treatments)
    for number in range(1, references + 1):
        Reference.objects.create(
            article=article, number=number, authors=f"Author{number} A", title=f"Title {number}",
            journal="Journal", year=2000 + number, volume_pages=f"{number}:1-2",
        )  # fmt: skip
    services.render_article(article=article)
    rebuild_index()  # as the admin does after a save
    return article
