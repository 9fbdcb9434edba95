"""The inquiry list's page of rows: read by their keys first, rendered with less work per cell.

KeysFirstPaginator sorts and slices the list on the primary keys alone (a subquery), and reads only
the page's rows in full: the database sorts narrow rows instead of every inquiry joined to its
office and assignee (with 10,000 inquiries, the sort of wide rows was the list's slowest query).

The rows are rendered as Django's `result_list` renders them, with less work per cell.

Django's `items_for_result` resolves every column again for every cell (a field lookup that fails
with an exception for each admin method, the empty-value text, a `format_html` per cell) and the
results template loops over each cell: 50 rows of 11 cells were most of the list's time. Here each
column is resolved once per page and each row is one string, the same HTML. Lists it does not
cover (list_editable, a popup, to_field) fall back to Django's.
"""

import datetime

from django.contrib.admin import ModelAdmin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import ResultList, result_headers, result_list
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def _column(cl, index: int, name: str) -> dict:
    """How to show one list_display column: a model field or a callable of the admin or the model."""
    admin = cl.model_admin
    opts = cl.lookup_opts
    classes = ["field-%s" % (name if isinstance(name, str) else getattr(name, "__name__", index))]
    field = None
    attr = None
    try:
        field = opts.get_field(name)
        if field.auto_created or field.is_relation:
            raise FieldDoesNotExist  # shown through Django's own path below
    except FieldDoesNotExist as missing:
        field = None
        if callable(name):
            attr = name
        elif name == "action_checkbox" and type(admin).action_checkbox is ModelAdmin.action_checkbox:
            attr = _checkbox  # the same input as Django's, without a widget template per row
        elif hasattr(admin, name) and name != "__str__":
            attr = getattr(admin, name)
        else:
            raise LookupError(name) from missing  # a model attribute: Django's path handles every case
    if name == "action_checkbox":
        classes = ["action-checkbox"]
    if field is not None and isinstance(field, (models.DateField, models.TimeField)):
        classes.append("nowrap")
    return {
        "name": name,
        "field": field,
        "attr": attr,
        "empty": getattr(attr, "empty_value_display", admin.get_empty_value_display()),
        "boolean": getattr(attr, "boolean", False),
        "class": " ".join(classes),
    }


def _checkbox(obj) -> str:
    label = format_html(_("Select this object for an action - {}"), str(obj))
    return format_html(
        '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
        ACTION_CHECKBOX_NAME,
        str(obj.pk),
        label,
    )


def _cell(column: dict, obj, link: bool) -> tuple[str, str]:
    """(the cell's class attribute, its HTML) for one row."""
    field, empty = column["field"], column["empty"]
    classes = column["class"]
    if field is not None:
        value = getattr(obj, field.attname)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        shown = display_for_field(value, field, empty, avoid_link=link)
    else:
        value = column["attr"](obj)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        shown = display_for_value(value, empty, column["boolean"])
        if isinstance(value, (datetime.date, datetime.time)):
            classes += " nowrap"
    return classes, conditional_escape(shown)


def fast_result_list(cl) -> dict:
    """Django's result_list context, with each row one string of the same cells."""
    if cl.formset or cl.is_popup or cl.to_field or not cl.list_display_links:
        return result_list(cl)
    try:
        columns = [_column(cl, index, name) for index, name in enumerate(cl.list_display)]
    except LookupError:
        return result_list(cl)
    links = [column["name"] in cl.list_display_links for column in columns]
    preserved = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
    rows = []
    for obj in cl.result_list:
        cells = []
        first = True  # Django's first linked cell is a row header
        for column, link in zip(columns, links, strict=True):
            classes, shown = _cell(column, obj, link)
            if link:
                url = escape(add_preserved_filters(preserved, cl.url_for_result(obj)))
                tag = "th" if first else "td"
                first = False
                cells.append(f'<{tag} class="{classes}"><a href="{url}">{shown}</a></{tag}>')
            else:
                cells.append(f'<td class="{classes}">{shown}</td>')
        rows.append(ResultList(None, [mark_safe("".join(cells))]))
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
    }


class KeysFirstPaginator(Paginator):
    """Django's Paginator whose page sorts and slices the primary keys, and reads only those rows."""

    def page(self, number):
        queryset = self.object_list
        if not hasattr(queryset, "values_list") or queryset.query.distinct:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        # One query: the page's keys sorted and sliced in a subquery of narrow rows; the outer
        # query reads those rows in full, joins and annotations included, and sorts only them.
        keys = queryset.values("pk")[bottom:top]
        return self._get_page(list(queryset.filter(pk__in=keys)), number, self)
