"""schema.org data for article pages: a MedicalWebPage with its authors, review date and citations."""

from clinic import site

from .models import Article, Author, Reference


def person(author: Author, *, site_url: str) -> dict:
    data = {"@type": "Person", "name": author.name}
    if author.credentials:
        data["honorificSuffix"] = author.credentials
    if author.office_id:
        data["affiliation"] = {"@type": "MedicalOrganization", "name": author.office.name}
    return data


def organization(*, site_url: str) -> dict:
    return {"@type": "MedicalOrganization", "name": site.CLINIC_FULL_NAME, "url": site_url + "/"}


def citation(ref: Reference) -> dict:
    data = {
        "@type": "ScholarlyArticle",
        "name": ref.title,
        "author": ref.authors,
        "datePublished": str(ref.year),
        "isPartOf": {"@type": "Periodical", "name": ref.journal},
    }
    if ref.doi:
        data["sameAs"] = f"https://doi.org/{ref.doi}"
    return data


def medical_web_page(article: Article, *, authors: list[Author], treatments, site_url: str) -> dict:
    url = site_url + article.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": article.title,
        "headline": article.title,
        "description": article.summary,
        "inLanguage": "en-US",
        "author": [person(a, site_url=site_url) for a in authors] or [organization(site_url=site_url)],
        "publisher": organization(site_url=site_url),
        "about": [{"@type": "MedicalTherapy", "name": t.name} for t in treatments],
        "citation": [citation(ref) for ref in article.references.all()],
    }
    # This web page's own dates: it was published here on `published_on` ("first shown on this site").
    # The clinic's page states no date of its own; where one does (`source_published_on`), the
    # page shows it, and it is the article's, not this page's.
    if article.published_on:
        data["datePublished"] = article.published_on.isoformat()
    data["dateModified"] = (article.updated_on or article.modified_at.date()).isoformat()
    if article.last_reviewed_on:
        data["lastReviewed"] = article.last_reviewed_on.isoformat()
    if article.reviewer_id:
        data["reviewedBy"] = person(article.reviewer, site_url=site_url)
    if article.hero_picture:
        data["image"] = site_url + article.hero_picture["src"]
    return data
