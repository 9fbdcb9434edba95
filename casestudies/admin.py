from django.contrib import admin

from articles.admin import ReviewDueFilter

from .forms import PainMeasurementForm
from .models import CaseStudy, PainMeasurement, TreatmentStep


class TreatmentStepInline(admin.StackedInline):
    model = TreatmentStep
    extra = 0
    fields = [("order", "kind", "sessions"), ("interval", "period", "timing"), "description", "result"]


class PainMeasurementInline(admin.TabularInline):
    model = PainMeasurement
    form = PainMeasurementForm
    extra = 0


@admin.register(CaseStudy)
class CaseStudyAdmin(admin.ModelAdmin):
    list_display = ["title", "number", "condition", "source", "last_reviewed_on", "next_review_due", "order"]
    list_editable = ["order"]
    list_filter = [ReviewDueFilter]
    list_select_related = ["source"]
    search_fields = ["title", "condition", "presenting_history", "outcome"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["treatments", "related_articles"]
    inlines = [TreatmentStepInline, PainMeasurementInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", ("number", "order")]}),
        ("Patient", {"fields": [("patient_age", "patient_sex", "knees"), "condition", "diagnosis"]}),
        ("History, in the source's words", {"fields": ["presenting_history", "prior_treatments"]}),
        ("Outcome, in the source's words", {"fields": ["outcome", "follow_up"]}),
        ("Evidence and links", {"fields": ["evidence", "disclosure", "source", "treatments", "related_articles"]}),
        ("Medical review", {"fields": ["last_reviewed_on", "reviewer", "next_review_due"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source":
            kwargs["queryset"] = db_field.related_model.objects.select_related("article")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PainMeasurement)
class PainMeasurementAdmin(admin.ModelAdmin):
    """All figures across cases, to check them against the source at a glance."""

    form = PainMeasurementForm
    list_display = ["case", "point_order", "point_label", "knee", "intensity", "frequency", "knee_given"]
    list_filter = ["case", "knee", "knee_given"]
    list_select_related = ["case"]
