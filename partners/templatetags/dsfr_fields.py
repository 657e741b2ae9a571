"""``{% form_field field %}``: one form field laid out as the DSFR wants it (label, « Facultatif »,
hint, widget with the DSFR class, errors tied to the widget by ``aria-describedby``).

A built-in of the template engine (``TEMPLATES`` ``builtins``): every template may use it without
``{% load %}``. Written in Python rather than as an included template because a form page shows
many fields and Django's template engine spent ~0.35 ms laying out each one around its widget
(docs/performance.md §1); the widget itself is rendered by the form renderer (``FORM_RENDERER``:
``partners.forms.WidgetRenderer``).

``required=True``: the field is required by the action chosen on the page although the form
field is not (no « Facultatif »).
"""

from django import template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

OPTIONAL = mark_safe('<span class="fr-hint-text">Facultatif</span>')  # noqa: S308 (a literal)


@register.simple_tag
def form_field(field: BoundField, required: bool = False) -> SafeString:
    if field.is_hidden:
        return format_html("{}", field)
    errors = field.errors
    error_lines = format_html_join("", '<p class="fr-error-text">{}</p>', ((e,) for e in errors))
    input_type = getattr(field.field.widget, "input_type", "")
    if input_type == "checkbox":
        return format_html(
            '<div class="fr-checkbox-group fr-mb-2w{}">{}'
            '<label class="fr-label" for="{}">{}</label>{}</div>',
            " fr-checkbox-group--error" if errors else "",
            field,
            field.id_for_label,
            field.label,
            error_lines,
        )
    kind = "select" if input_type == "select" else "input"
    attrs: dict[str, str | bool] = {
        "class": f"fr-{kind} fr-{kind}--error" if errors else f"fr-{kind}"
    }
    if errors:
        attrs["aria-describedby"] = f"{field.auto_id}-erreurs"
    optional = not field.field.required and not required
    return format_html(
        '<div class="fr-{}-group{}"><label class="fr-label" for="{}">{} {}{}</label>{}{}</div>',
        kind,
        f" fr-{kind}-group--error" if errors else "",
        field.id_for_label,
        field.label,
        OPTIONAL if optional else "",
        format_html('<span class="fr-hint-text">{}</span>', field.help_text)
        if field.help_text
        else "",
        field.as_widget(attrs=attrs),
        format_html('<div id="{}-erreurs">{}</div>', field.auto_id, error_lines) if errors else "",
    )
