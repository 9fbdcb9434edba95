"""A public form's crispy-forms layout rendered once per content version, not on every view.

An empty form (a GET) renders the same HTML on every view but for two values: its start time
(`started`, signed) and its submission token. So the layout is rendered once, with stand-ins for
those two, kept in this process's memory until the content version changes (the offices it lists
are content: clinic.pagecache.per_content_version), and each view puts its own two values in.
The HTML is the one `{% crispy form %}` renders (tests/intake/test_form_html.py). A bound form
(a POST sent back with its errors) is rendered afresh, as is everything when the chrome cache is
off.
"""

from crispy_forms.utils import render_crispy_form
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clinic.pagecache import per_content_version

# Values no form ever carries, replaced by the view's own (both are printed as they are: a
# signed value and a UUID hold no character that HTML escapes).
STAND_INS = {"started": "intake-started-stand-in", "submission_token": "00000000-0000-4000-8000-00000000f0e1"}


@per_content_version
def _rendered() -> dict:
    """This content version's rendered layouts, by form class and initial values (filled lazily)."""
    return {}


def form_html(form) -> SafeString | None:
    """The form's crispy HTML from the per-version copy, or None for a bound form."""
    if form.is_bound or not all(name in form.initial for name in STAND_INS):
        return None
    others = tuple(sorted((k, str(v)) for k, v in form.initial.items() if k not in STAND_INS))
    key = (type(form).__module__, type(form).__qualname__, form.prefix, form.auto_id, others)
    rendered = _rendered()
    html = rendered.get(key)
    if html is None:
        # Another instance of the form, so this one keeps its own values.
        blank = type(form)(initial={**form.initial, **STAND_INS}, prefix=form.prefix, auto_id=form.auto_id)
        html = str(render_crispy_form(blank))
        if any(html.count(f'value="{stand_in}"') != 1 for stand_in in STAND_INS.values()):
            return None  # a layout that does not print each once as a value: render it as it is
        rendered[key] = html
    for name, stand_in in STAND_INS.items():
        html = html.replace(f'value="{stand_in}"', f'value="{escape(form.initial[name])}"')
    return mark_safe(html)
