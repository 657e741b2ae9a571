"""``{% form_field field %}``: one form field laid out as the DSFR wants it (label, « Facultatif »,
hint, widget with the DSFR class, errors tied to the widget by ``aria-describedby``; the hint is
inside the label, so part of the field's name). A checkbox has its label after the box, as the DSFR
wants, with the same hint and errors.

A built-in of the template engine (``TEMPLATES`` ``builtins``): every template may use it without
``{% load %}``. Written in Python rather than as an included template because a form page shows
many fields and Django's template engine spent ~0.35 ms laying out each one around its widget
(docs/performance.md §1); the widget itself is rendered by the form renderer (``FORM_RENDERER``:
``partners.forms.WidgetRenderer``).

``required=True``: the field is required by the action chosen on the page although the form
field is not (no « Facultatif »).
"""

from typing import cast

from django import template
from django.forms import BoundField
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

OPTIONAL = mark_safe('<span class="fr-hint-text">Facultatif</span>')  # noqa: S308 (a literal)


@register.simple_tag
def form_field(field: BoundField, required: bool = False) -> SafeString:
    if field.is_hidden:
        return mark_safe(str(field))  # noqa: S308 — the widget's HTML, escaped by its template
    errors = field.errors
    # An ErrorList gives its messages as text (ErrorList.__getitem__), not as ValidationError.
    error_lines = "".join(
        f'<p class="fr-error-text">{conditional_escape(cast(str, error))}</p>' for error in errors
    )
    error_id = f"{field.auto_id}-erreurs"
    error_block = f'<div id="{escape(error_id)}">{error_lines}</div>' if errors else ""
    hint = (
        f'<span class="fr-hint-text">{conditional_escape(field.help_text)}</span>'
        if field.help_text
        else ""
    )
    input_type = getattr(field.field.widget, "input_type", "")
    if input_type == "checkbox":
        error_class = " fr-checkbox-group--error" if errors else ""
        box = field.as_widget(attrs={"aria-describedby": error_id}) if errors else str(field)
        return mark_safe(  # noqa: S308 — every value escaped here, the widget by its template
            f'<div class="fr-checkbox-group fr-mb-2w{error_class}">'
            f'{box}<label class="fr-label" for="{escape(field.id_for_label)}">'
            f"{conditional_escape(field.label)}{hint}</label>{error_block}</div>"
        )
    kind = "select" if input_type == "select" else "input"
    attrs: dict[str, str | bool] = {
        "class": f"fr-{kind} fr-{kind}--error" if errors else f"fr-{kind}"
    }
    if errors:
        attrs["aria-describedby"] = error_id
    optional = not field.field.required and not required
    return mark_safe(  # noqa: S308 — every value escaped here, the widget by its template
        f'<div class="fr-{kind}-group{f" fr-{kind}-group--error" if errors else ""}">'
        f'<label class="fr-label" for="{escape(field.id_for_label)}">'
        f"{conditional_escape(field.label)} {OPTIONAL if optional else ''}{hint}</label>"
        f"{field.as_widget(attrs=attrs)}{error_block}</div>"
    )
