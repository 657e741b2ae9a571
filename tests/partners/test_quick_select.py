"""``partners.forms.QuickSelect``: the same ``<select>`` as Django's template-rendered one (the
auditor's journal search lists a department's professionals in it), written without a template
per option."""

from django import forms
from django.test.html import parse_html

from partners.forms import QuickSelect

CHOICES = [
    ("", "---------"),
    ("1", "Aïcha <Benali> & co"),
    ("2", 'Bruno "Martin"'),
    ("Agences", [("3", "Dijon Nord"), ("4", "Beaune")]),
]


def _both(value: object, attrs: dict[str, str] | None = None) -> tuple[str, str]:
    return (
        QuickSelect(choices=CHOICES).render("professional", value, attrs),
        forms.Select(choices=CHOICES).render("professional", value, attrs),
    )


def test_the_same_html_as_django_select_with_a_value_and_attributes():
    quick, django = _both("2", {"id": "id_professional", "class": "fr-select"})

    assert parse_html(quick) == parse_html(django)
    assert '<option value="2" selected>Bruno &quot;Martin&quot;</option>' in quick
    assert "Aïcha &lt;Benali&gt; &amp; co" in quick  # labels escaped


def test_the_same_html_without_a_value_and_in_a_group():
    quick, django = _both(None)
    grouped, grouped_django = _both("4")

    assert parse_html(quick) == parse_html(django)
    assert parse_html(grouped) == parse_html(grouped_django)
    assert '<optgroup label="Agences"><option value="3">Dijon Nord</option>' in grouped
