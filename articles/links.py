"""The treatments, and which article is about which, as many public pages show them.

Kept in each process's memory for one content version (clinic.pagecache.per_content_version), so a
page rendered afresh does not ask the database again for what only a content change alters.
"""

from clinic.pagecache import per_content_version

from .models import Article, Treatment


@per_content_version
def treatments() -> tuple[Treatment, ...]:
    """Every treatment, in menu order."""
    return tuple(Treatment.objects.all())


@per_content_version
def treatments_by_article() -> dict[int, tuple[Treatment, ...]]:
    """Each article's treatments (by article id), in menu order; articles without any are absent."""
    pairs = set(Article.treatments.through.objects.values_list("article_id", "treatment_id"))
    articles = {article_id for article_id, _ in pairs}
    return {article_id: tuple(t for t in treatments() if (article_id, t.pk) in pairs) for article_id in articles}


def treatments_of(article: Article) -> tuple[Treatment, ...]:
    return treatments_by_article().get(article.pk, ())
