from datetime import timedelta

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from . import services
from .models import Article, ArticleAuthor, Author, Reference, Treatment
from .reviews import DUE_SOON_DAYS


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("soon", f"Due within {DUE_SOON_DAYS} days"),
            ("unscheduled", "No review date set"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(next_review_due__lt=today)
        if self.value() == "soon":
            return queryset.filter(next_review_due__gte=today, next_review_due__lte=today + timedelta(DUE_SOON_DAYS))
        if self.value() == "unscheduled":
            return queryset.filter(next_review_due__isnull=True)
        return queryset


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    extra = 0
    fields = ["order", "author"]
    ordering = ["order"]
    autocomplete_fields = ["author"]
    verbose_name = "author"
    verbose_name_plural = "authors (in the order shown on the page)"


class ReferenceInline(admin.StackedInline):
    model = Reference
    extra = 0
    ordering = ["number"]
    fields = [
        ("number", "year", "date"),
        "authors",
        "title",
        "journal",
        ("volume_pages", "doi"),
        "note",
        "editor_note",
    ]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_on", "treatment_list", "last_reviewed_on", "review_due"]
    list_filter = ["status", ReviewDueFilter, "treatments", "published_on"]
    search_fields = ["title", "summary", "body", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_on"
    filter_horizontal = ["treatments"]
    inlines = [ArticleAuthorInline, ReferenceInline]
    readonly_fields = ["modified_at", "preview_link"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "treatments"]}),
        (
            "Publishing",
            {"fields": ["status", "published_on", "source_published_on", "updated_on", "preview_link", "modified_at"]},
        ),
        ("Medical review", {"fields": ["last_reviewed_on", "reviewer", "next_review_due"]}),
        ("Hero image", {"fields": ["hero_image", "hero_alt"]}),
    ]
    # Admin's "View on site" for published articles; drafts use the preview link (staff only).
    view_on_site = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("treatments")

    @admin.display(description="treatments")
    def treatment_list(self, obj):
        return ", ".join(t.name for t in obj.treatments.all())

    @admin.display(description="next review due", ordering="next_review_due")
    def review_due(self, obj):
        if obj.next_review_due is None:
            return "–"
        if obj.next_review_due < timezone.localdate():
            return format_html('<strong class="review-overdue">{} (overdue)</strong>', obj.next_review_due)
        return obj.next_review_due

    @admin.display(description="preview")
    def preview_link(self, obj):
        if not obj.pk:
            return "Save the article first."
        label = "View on the site" if obj.is_public else "Preview (visible to staff only)"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label)

    def save_related(self, request, form, formsets, change):
        # After the inlines: the rendered body links only the references that exist.
        super().save_related(request, form, formsets, change)
        services.render_article(article=form.instance)
        if "hero_image" in form.changed_data or not change:
            services.refresh_article_hero(article=form.instance)


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials", "office"]
    list_filter = ["office"]
    search_fields = ["name", "credentials"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "credentials", "office", "bio", "photo"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "photo" in form.changed_data or not change:
            services.refresh_author_photo(author=obj)


@admin.register(Treatment)
class TreatmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "editor_note", "body", "order"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.render_treatment(treatment=form.instance)
