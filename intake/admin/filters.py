"""The inquiry list's filters: status (with "open"), overdue, assignee, office, hand-off state and
when it was received."""

from django.conf import settings
from django.contrib import admin

from clinic.models import Office
from intake import services
from intake.models import Inquiry, OutboxMessage

from .columns import NO_OFFICE
from .display import user_label


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open (not closed)"), *Inquiry.Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.open()
        if self.value() in Inquiry.Status.values:
            return queryset.filter(status=self.value())
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        soon = f"Due within {settings.TRIAGE_DUE_SOON_HOURS} h"
        return [("yes", "Overdue (new too long)"), ("soon", soon), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "soon":
            return queryset.due_soon()
        if self.value() == "no":
            return queryset.exclude(pk__in=Inquiry.objects.overdue().values("pk"))
        return queryset


class _RelatedRowFilter(admin.SimpleListFilter):
    """Inquiries whose `field` is the chosen row (by id), or has no row at all (the `none` choice)."""

    field: str
    none: str

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.none:
            return queryset.filter(**{f"{self.field}__isnull": True})
        if value and value.isdigit():
            return queryset.filter(**{f"{self.field}_id": int(value)})
        return queryset


class AssigneeFilter(_RelatedRowFilter):
    title = "assignee"
    parameter_name = "assignee"
    field = "assignee"
    none = "nobody"

    def lookups(self, request, model_admin):
        staff = [(str(user.pk), user_label(user)) for user in services.triage_staff()]
        return [("me", "Me"), ("nobody", "Nobody"), *staff]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        return super().queryset(request, queryset)


class OfficeFilter(_RelatedRowFilter):
    """The office by the same short label as the list's column ("Fort Myers, FL")."""

    title = "office"
    parameter_name = "office__id__exact"
    field = "office"
    none = "none"

    def lookups(self, request, model_admin):
        return [*((str(office.pk), office.label) for office in Office.objects.all()), ("none", NO_OFFICE)]


class HandoffFilter(admin.SimpleListFilter):
    title = "hand-off"
    parameter_name = "handoff"

    def lookups(self, request, model_admin):
        return [("sent", "Sent"), ("pending", "Pending"), ("failing", "Failing or failed")]

    def queryset(self, request, queryset):
        unsent = OutboxMessage.objects.exclude(status=OutboxMessage.Status.SENT)
        if self.value() == "sent":
            return queryset.exclude(pk__in=unsent.values("inquiry"))
        if self.value() == "pending":
            return queryset.filter(
                pk__in=unsent.filter(status=OutboxMessage.Status.PENDING, last_error="").values("inquiry")
            )
        if self.value() == "failing":
            failing = unsent.exclude(status=OutboxMessage.Status.PENDING, last_error="")
            return queryset.filter(pk__in=failing.values("inquiry"))
        return queryset


class ReceivedFilter(admin.DateFieldListFilter):
    """When the inquiry came in: today, the past 7 days, this month, this year. In place of a date
    hierarchy, whose years, months and days were read from every inquiry on every view of the list."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "received"
