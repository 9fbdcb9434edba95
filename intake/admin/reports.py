"""The reports page (issue 19): /admin/intake/inquiry/reports/, for staff with intake.view_reports.

A GET form picks the weeks; intake.services.reports computes the tables; each table is drawn as an
inline SVG chart (clinic.charts) next to the same numbers, and downloads as CSV (?csv=<table key>),
formula-escaped, each download recorded in the audit trail.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from clinic import charts
from clinic.middleware import client_ip
from intake import services
from intake.services import reports

from .actions import csv_safe

EARLIEST = date(2000, 1, 1)  # and at most a year ahead: no date at the calendar's ends


class ReportRangeForm(forms.Form):
    """The weeks to report on: from the week holding `start` to the one holding `end`."""

    start = forms.DateField(label="From the week of", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To the week of", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data=None):
        start, end = reports.default_range()
        params = {"start": start.isoformat(), "end": end.isoformat()}
        if data is not None:
            params.update({k: data[k] for k in ("start", "end") if k in data})
        super().__init__(params)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start < EARLIEST or end > timezone.localdate() + timedelta(days=366):
                raise forms.ValidationError(f"Choose weeks from {EARLIEST.year} to next year.")
            if start > end:
                raise forms.ValidationError("The first week must come before the last.")
            if (reports.week_start(end) - reports.week_start(start)).days // 7 + 1 > reports.MAX_WEEKS:
                raise forms.ValidationError(f"Choose at most {reports.MAX_WEEKS} weeks.")
        return cleaned


@dataclass(frozen=True)
class Section:
    table: reports.Table
    chart: SafeString
    note: str = ""

    @property
    def wide(self) -> bool:
        """A column a week: the table goes under its chart, at the page's width."""
        return len(self.table.headers) > 6


def _week_label(iso: str) -> str:
    """ "Nov 30": the week's Monday, as the chart's axis says it."""
    return date_format(date.fromisoformat(iso), "M j")


def _weekly_chart(table: reports.Table) -> SafeString:
    """Stacked columns a week, the table's rows as the series (the eight largest; the rest as "Other")."""
    rows = table.rows
    if len(rows) > 8:
        rest = rows[7:]
        rows = [*rows[:7], ["Other", *(sum(r[i] for r in rest) for i in range(1, len(rows[0])))]]
    weeks = table.headers[1:-1]
    series = [charts.Series(row[0], list(row[1:-1])) for row in rows]
    parts = "; ".join(f"{row[0]}: {row[-1]}" for row in rows)
    desc = f"{table.title}, weeks {weeks[0]} to {weeks[-1]}, stacked. Totals over the weeks: {parts or 'none'}."
    svg = charts.column_chart(
        title=table.title, desc=desc, labels=[_week_label(w) for w in weeks], series=series, id_prefix=table.key
    )
    return mark_safe(svg)  # built with ElementTree: every text escaped


def _contact_week_chart(table: reports.Table) -> SafeString:
    weeks = [row[0] for row in table.rows]
    series = [
        charts.Series("Median", [r[3] for r in table.rows]),
        charts.Series("90th pct.", [r[4] for r in table.rows]),
    ]
    parts = "; ".join(
        f"{r[0]}: median {charts.value_label(r[3], ' h')}, 90th {charts.value_label(r[4], ' h')}" for r in table.rows
    )
    desc = f"Hours from an inquiry to its first contact attempt, by week submitted. {parts}."
    svg = charts.column_chart(
        title=table.title,
        desc=desc,
        labels=[_week_label(w) for w in weeks],
        series=series,
        id_prefix=table.key,
        stacked=False,
        unit=" h",
    )
    return mark_safe(svg)


def _bars(table: reports.Table, value_column: int, unit: str, what: str) -> SafeString:
    rows = [(str(row[0]), row[value_column]) for row in table.rows]
    parts = "; ".join(f"{label}: {charts.value_label(value, unit)}" for label, value in rows)
    desc = f"{table.title}: {what}. {parts or 'No data'}."
    return mark_safe(
        charts.bar_chart(title=f"{table.title}: {what}", desc=desc, rows=rows, id_prefix=table.key, unit=unit)
    )


FUNNEL_RATES = [("Contacted", 3), ("Scheduled", 5), ("Not a candidate", 7), ("Closed", 9)]


def _funnel_chart(table: reports.Table) -> SafeString:
    """The funnel's rates side by side for each group: contacted, scheduled, not a candidate, closed."""
    series = [charts.Series(name, [row[column] for row in table.rows]) for name, column in FUNNEL_RATES]
    parts = "; ".join(
        f"{row[0]}: {row[1]} received, "
        + ", ".join(f"{name.lower()} {charts.value_label(row[column], '%')}" for name, column in FUNNEL_RATES)
        for row in table.rows
    )
    desc = f"{table.title}, per cent of the inquiries received. {parts or 'No inquiries'}."
    svg = charts.column_chart(
        title=f"{table.title}: rates",
        desc=desc,
        labels=[str(row[0]) for row in table.rows],
        series=series,
        id_prefix=table.key,
        stacked=False,
        unit="%",
    )
    return mark_safe(svg)


def sections(report: reports.Report) -> list[Section]:
    return [
        Section(report.by_kind, _weekly_chart(report.by_kind)),
        Section(report.by_office, _weekly_chart(report.by_office)),
        Section(report.by_article, _weekly_chart(report.by_article)),
        Section(
            report.first_contact_by_week,
            _contact_week_chart(report.first_contact_by_week),
            "Hours from the form being sent to the first logged contact attempt, whatever its outcome. "
            "Inquiries with no attempt yet have no time and are left out of the median.",
        ),
        Section(
            report.first_contact_by_staff,
            _bars(report.first_contact_by_staff, 2, " h", "median hours"),
            "Who logged each inquiry's first attempt; “former staff” when that account was removed.",
        ),
        Section(
            report.funnel_by_type,
            _funnel_chart(report.funnel_by_type),
            "Contacted: a logged attempt reached the person, or the status is now contacted or scheduled. "
            "Scheduled, not a candidate, closed and still open (new or in review): the current status. "
            "Rates are per cent of the inquiries received.",
        ),
        Section(
            report.funnel_by_treatment,
            _funnel_chart(report.funnel_by_treatment),
            "The treatments of the article the inquiry was sent from; an article about two treatments "
            "counts under both, so these rows do not add up to the total.",
        ),
    ]


def csv_response(table: reports.Table, report: reports.Report) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([csv_safe("" if cell is None else cell) for cell in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"inquiries-{table.key}-{report.start.isoformat()}-to-{report.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


class ReportViews:
    """Mixed into InquiryAdmin (after InquiryViews): the reports page."""

    def reports_view(self, request):
        if not request.user.has_perm("intake.view_reports"):
            raise PermissionDenied
        form = ReportRangeForm(request.GET)
        report = None
        if form.is_valid():
            report = reports.build_report(form.cleaned_data["start"], form.cleaned_data["end"])
            key = request.GET.get("csv")
            if key is not None:
                table = report.table(key)
                if table is None:
                    raise Http404("No such table")
                services.record_report_export(
                    by=request.user, table=table.key, start=report.start, end=report.end, remote_addr=client_ip(request)
                )
                return csv_response(table, report)
        context = {
            **self.admin_site.each_context(request),
            "title": "Inquiry reports",
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "sections": sections(report) if report else [],
            "media": self.media,
        }
        return TemplateResponse(request, "admin/intake/inquiry/reports.html", context)
