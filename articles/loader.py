"""Loading treatments, authors and articles from content/ (called by `manage.py load_content`).

content/treatments.yaml and content/authors.yaml are lists keyed by slug; each article is
content/articles/<slug>.md: YAML front matter (title, slug, status, dates, summary, authors and
treatments by slug, references as structured entries) and a Markdown body.
"""

from pathlib import Path

import frontmatter

from clinic.content import CREATED, UPDATED, LoadReport, load_yaml, sync_row
from clinic.models import Office

from . import services
from .models import Article, ArticleAuthor, Author, Reference, Treatment

ARTICLE_FIELDS = (
    "title",
    "summary",
    "status",
    "published_on",
    "source_published_on",
    "updated_on",
    "last_reviewed_on",
    "next_review_due",
)
REFERENCE_FIELDS = ("authors", "title", "journal", "year", "date", "volume_pages", "doi", "note", "editor_note")


class ContentError(ValueError):
    """A content file that cannot be loaded as it is; the message names the file."""


def _reference(entry: dict) -> dict:
    ref = {"number": int(entry["number"])}
    for name in REFERENCE_FIELDS:
        value = entry.get(name, "")
        ref[name] = int(value) if name == "year" else " ".join(str(value or "").split())
    return ref


def _related_in_db(article: Article) -> dict:
    return {
        "authors": [
            link.author.slug for link in ArticleAuthor.objects.filter(article=article).select_related("author")
        ],
        "treatments": sorted(article.treatments.values_list("slug", flat=True)),
        "references": [
            {"number": ref.number, **{name: getattr(ref, name) for name in REFERENCE_FIELDS}}
            for ref in article.references.order_by("number")
        ],
    }


def _write_related(article: Article, related: dict) -> None:
    ArticleAuthor.objects.filter(article=article).delete()
    authors = {author.slug: author for author in Author.objects.filter(slug__in=related["authors"])}
    ArticleAuthor.objects.bulk_create(
        ArticleAuthor(article=article, author=authors[slug], order=position)
        for position, slug in enumerate(related["authors"])
    )
    article.treatments.set(Treatment.objects.filter(slug__in=related["treatments"]))
    # Updated in place, not recreated: other rows (case histories) point at references.
    numbers = [ref["number"] for ref in related["references"]]
    article.references.exclude(number__in=numbers).delete()
    for ref in related["references"]:
        values = {name: ref[name] for name in REFERENCE_FIELDS}
        obj, _ = Reference.objects.get_or_create(article=article, number=ref["number"], defaults=values)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj.save()


def load_treatments(path: Path, report: LoadReport, *, force: bool) -> None:
    for entry in load_yaml(path):
        entry = dict(entry)
        slug = entry.pop("slug")
        values = {
            "name": entry["name"],
            "description": " ".join(entry["description"].split()),
            "editor_note": " ".join(str(entry.get("editor_note") or "").split()),
            "body": str(entry.get("body") or "").strip(),
            "order": entry["order"],
        }
        treatment, status = sync_row(Treatment, lookup={"slug": slug}, values=values, force=force)
        services.render_treatment(treatment=treatment)
        report.add(status, f"treatment {slug}")


def load_authors(path: Path, report: LoadReport, *, force: bool) -> None:
    for entry in load_yaml(path):
        slug = entry["slug"]
        office = None
        if entry.get("office"):
            office = Office.objects.filter(slug=entry["office"]).first()
            if office is None:
                raise ContentError(f"{path.name}: author {slug} names an unknown office {entry['office']!r}")
        values = {
            "name": entry["name"],
            "credentials": entry.get("credentials", ""),
            "office": office,
            "bio": " ".join(str(entry.get("bio", "")).split()),
        }
        _, status = sync_row(Author, lookup={"slug": slug}, values=values, force=force)
        report.add(status, f"author {slug}")


def load_article(path: Path, report: LoadReport, *, force: bool) -> Article:
    post = frontmatter.load(path)
    meta = post.metadata
    slug = meta.get("slug")
    if slug != path.stem:
        raise ContentError(f"{path.name}: the front matter's slug {slug!r} must match the file name")
    missing = [name for name in ("title", "summary", "status") if not meta.get(name)]
    if missing:
        raise ContentError(f"{path.name}: missing {', '.join(missing)} in the front matter")
    unknown_authors = set(meta.get("authors") or []) - set(Author.objects.values_list("slug", flat=True))
    unknown_treatments = set(meta.get("treatments") or []) - set(Treatment.objects.values_list("slug", flat=True))
    if unknown_authors or unknown_treatments:
        raise ContentError(
            f"{path.name}: unknown authors {unknown_authors or '{}'} or treatments {unknown_treatments or '{}'}"
        )

    values = {name: meta.get(name) for name in ARTICLE_FIELDS}
    values["summary"] = " ".join(str(values["summary"]).split())
    values["body"] = post.content.strip() + "\n"
    reviewer_slug = meta.get("reviewer")
    values["reviewer"] = Author.objects.get(slug=reviewer_slug) if reviewer_slug else None
    related = {
        "authors": list(meta.get("authors") or []),
        "treatments": sorted(meta.get("treatments") or []),
        "references": [_reference(entry) for entry in meta.get("references") or []],
    }
    article, status = sync_row(
        Article, lookup={"slug": slug}, values=values, related=related, current_related=_related_in_db, force=force
    )
    if status in (CREATED, UPDATED):
        _write_related(article, related)
    report.add(status, f"article {slug}")
    return article


def load_articles(content_dir: Path, report: LoadReport, *, force: bool = False) -> None:
    """Treatments, authors, then every content/articles/*.md, keyed by slug.

    Idempotent: a rerun with the same files changes nothing; rows an editor changed in admin since
    the last load are reported as skipped and kept unless `force`. Each article's HTML is rendered
    here, at load time, never per request.
    """
    load_treatments(content_dir / "treatments.yaml", report, force=force)
    load_authors(content_dir / "authors.yaml", report, force=force)
    for path in sorted((content_dir / "articles").glob("*.md")):
        article = load_article(path, report, force=force)
        services.render_article(article=article)
