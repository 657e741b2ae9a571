"""Parts of a page rendered by Jinja2: the rows of the long lists (the portefeuille, the journal),
and the case page's read-only sections (its history, the person and the follow-up, the accord and
the person's space), where Django's template engine spent most of a page's time
(docs/performance.md §1; docs/architecture.md, « Pages and templates »). The page itself stays a
Django template; it prints a ``Fragment`` like any value, and the fragment is rendered then,
inside the page's render (so the template query guard of the tests watches it too).

The environment (``TEMPLATES``' second engine, files ``templates/<app>/*.jinja``) escapes every
value, fails on an unknown variable in tests (``StrictUndefined``, as ``string_if_invalid`` for the
Django templates), and offers what the rows need: ``url(name, *args)`` (``pk_url(name)`` for a
link on every row), the ``jour`` filter (a date as 31/12/2026, « — » for none), ``moment`` (a
moment as 31/12/2026 14:05, in France's time), ``linebreaksbr`` (Django's) and
``obj|display("field")`` (the label of a choice).
"""

import datetime
import functools
from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.template import engines
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment


def jour(value: datetime.date | None) -> str:
    """A date as the pages write it (the ``date:"d/m/Y"`` of the Django templates); a moment is
    written as the day it is in France, as Django's filter does."""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return value.strftime("%d/%m/%Y") if value else "—"


def moment(value: datetime.datetime, between: str = " ", hour: str = "%H:%M") -> str:
    """A moment as the pages write it, in France's time: ``date:"d/m/Y H:i"``; ``between`` the
    day and the hour (`` à `` for ``date:"d/m/Y à H:i"``) and the ``hour``'s format (``%Hh%M``
    for ``H\\hi``, « 14h05 »)."""
    return timezone.localtime(value).strftime(f"%d/%m/%Y{between}{hour}")


def linebreaks_br(value: str) -> SafeString:
    """Django's ``linebreaksbr``: the text escaped, each line break a ``<br>``."""
    return linebreaksbr(value, autoescape=True)


def url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


#: An id no row has, written where ``pk_url`` puts each row's id.
PK_MARK = 987654321987654321


def pk_url(name: str) -> Callable[[int], str]:
    """``url(name, pk)`` for the many rows of a list, whose URL takes one ``<int:pk>``: Django's
    ``reverse`` once, then each row's id put in its place (``reverse`` costs about as much as the
    rest of a portefeuille row; docs/performance.md §1)."""
    before, after = reverse(name, args=[PK_MARK]).split(str(PK_MARK))
    return lambda pk: f"{before}{int(pk)}{after}"


@functools.cache
def _labels(model: type[Model], field_name: str) -> dict[Any, Any]:
    return dict(model._meta.get_field(field_name).flatchoices)  # type: ignore[union-attr]


def display(obj: Any, field_name: str) -> Any:
    """``obj.get_<field_name>_display()``, from the field's choices read once per process (Django
    rebuilds their dictionary at each call). ``obj``: a model instance, or a row read as values
    that names its model in ``model`` (``casework.selectors.CaseloadRow``)."""
    value = getattr(obj, field_name)
    model = type(obj) if isinstance(obj, Model) else obj.model
    return _labels(model, field_name).get(value, value)


def environment(**options: Any) -> Environment:
    # Escaped always, whatever the settings say (Django's backend asks for it too).
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals["url"] = url
    env.filters["jour"] = jour
    env.filters["moment"] = moment
    env.filters["linebreaksbr"] = linebreaks_br
    env.filters["display"] = display
    return env


class Fragment:
    """``template_name`` (under ``templates/``) rendered by Jinja2 with ``context`` when printed."""

    def __init__(self, template_name: str, context: dict[str, Any]) -> None:
        self.template_name = template_name
        self.context = context

    def __str__(self) -> SafeString:
        # Jinja2 escaped every value (autoescape): the HTML it returns is safe as it stands.
        html = engines["jinja2"].get_template(self.template_name).render(self.context)
        return mark_safe(html)  # noqa: S308

    __html__ = __str__
