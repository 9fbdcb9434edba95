from django.db import models
from django.urls import reverse
from django.utils import timezone

from clinic.models import LoadedContent, Office

from .images import picture, validate_public_image


class Treatment(LoadedContent):
    """One of the clinic's three treatments; the description comes from the articles' own words."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    description = models.TextField(help_text="Plain text: a short definition in the articles' own words.")
    editor_note = models.TextField(
        "editor's note",
        blank=True,
        help_text="Shown beside the definition, visibly apart from it, where the clinic's words need a note "
        "(they stay as they are).",
    )
    body = models.TextField(
        blank=True,
        help_text="Markdown, the treatment page: the clinic's own words, quoted. Editor's notes as "
        "“> [!editor-note]” blocks.",
    )
    body_html = models.TextField(blank=True, editable=False)  # rendered from `body` on save, never per request
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:treatment", args=[self.slug])


class Author(LoadedContent):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    credentials = models.CharField(max_length=50, blank=True, help_text='e.g. "MD" or "MMS, PA-C".')
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="authors")
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="authors/", blank=True, validators=[validate_public_image])
    # Resized copies made when the photo is saved (articles.services.refresh_author_photo).
    photo_renditions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def photo_picture(self) -> dict | None:
        return picture(self.photo_renditions, default_width=480)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, published_on__lte=timezone.localdate())


class Article(LoadedContent):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField()
    body = models.TextField(
        help_text=(
            "Markdown. Start headings at ## (the title is the page's only top heading). Cite a "
            "reference by its number in brackets, (1), or as a superscript, <sup>1</sup>: the "
            "number links to the reference list; write \\(1) for a number in brackets that is not a "
            "citation. An editor's note, shown apart from the clinic's words: a quote block whose first "
            "line is [!editor-note], e.g. “> [!editor-note]” then “> The note.”"
        )
    )
    # Rendered from `body` when the article is saved through the service, never per request.
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)  # plain text, for search and snippets
    toc = models.JSONField(default=list, blank=True, editable=False)
    citations = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The date the article first appeared on this site (it goes public on that day); shown as such,
    # never as the clinic's own publication date, which is `source_published_on` where a source gives one.
    published_on = models.DateField(
        "first shown on this site", null=True, blank=True, help_text="The article is public from this date."
    )
    source_published_on = models.DateField(
        "published (as the source states)",
        null=True,
        blank=True,
        help_text="Only where the source page states a publication date; blank otherwise.",
    )
    updated_on = models.DateField(null=True, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    reviewer = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_articles"
    )
    next_review_due = models.DateField(null=True, blank=True)
    hero_image = models.ImageField(upload_to="articles/", blank=True, validators=[validate_public_image])
    hero_renditions = models.JSONField(default=list, blank=True, editable=False)
    hero_alt = models.CharField("hero image description", max_length=200, blank=True)
    authors = models.ManyToManyField(Author, through="ArticleAuthor", blank=True, related_name="articles")
    treatments = models.ManyToManyField(Treatment, blank=True, related_name="articles")
    modified_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("articles:detail", args=[self.slug])

    @property
    def hero_picture(self) -> dict | None:
        return picture(self.hero_renditions)

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_on is not None
            and self.published_on <= timezone.localdate()
        )


class ArticleAuthor(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_article_author")]

    def __str__(self):
        return f"{self.author} on {self.article}"


class Reference(models.Model):
    """A numbered entry in one article's reference list, as the source gives it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    number = models.PositiveSmallIntegerField()
    authors = models.CharField(max_length=500)
    title = models.CharField(max_length=500)
    journal = models.CharField(max_length=300)
    year = models.PositiveSmallIntegerField()
    date = models.CharField(max_length=50, blank=True, help_text='As printed, e.g. "2016 Jan 13".')
    volume_pages = models.CharField("volume/pages", max_length=100, blank=True)
    doi = models.CharField("DOI", max_length=100, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text='e.g. "Epub 2016 Nov 25."')
    editor_note = models.TextField(
        "editor's note",
        blank=True,
        help_text="Shown under the entry, apart from it, where the entry as the source gives it needs a note.",
    )

    class Meta:
        ordering = ["article", "number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="unique_reference_number")]

    def __str__(self):
        return f"{self.number}. {self.authors} {self.title}"


class SearchDocument(models.Model):
    """One public page in the site search's single index: an article, a treatment or a case history.

    Rebuilt from those rows by `articles.search.rebuild_index` whenever content changes (the loader;
    after the commit of any content write, admin saves included: articles.apps); never edited by hand.
    """

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        TREATMENT = "treatment", "Treatment"
        CASE_STUDY = "case", "Case history"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.SlugField(max_length=200)
    url = models.CharField(max_length=300)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    public_from = models.DateField(null=True, blank=True)  # an article's publication day; else always
    # Ties in rank keep the site's own order (treatments, then articles, then case histories).
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "title"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_search_document_per_page")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class SearchWord(models.Model):
    """A word of the indexed pages, for "Did you mean …" (pg_trgm similarity, or difflib on SQLite)."""

    word = models.CharField(max_length=100, unique=True)

    def __str__(self):
        return self.word
