"""``{% form_field %}``: the DSFR layout of one field, its states, and the widgets rendered by
Jinja2 (``FORM_RENDERER``) as Django's own templates would, to the blank lines."""

import pytest
from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import engines
from django.test.html import parse_html

from casework.forms import DirectorySearchForm, MilestoneForm, NoteForm, TransitionForm


class SampleForm(forms.Form):
    name = forms.CharField(label="Nom <b>", help_text="Tel qu'écrit <i>")
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea)
    channel = forms.ChoiceField(
        label="Canal", choices=[("tel", "Téléphone"), ("site", "Sur place")]
    )
    agreed = forms.BooleanField(label="D'accord", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


def render(field, extra=""):
    template = engines["django"].from_string("{% form_field field" + extra + " %}")
    return template.render({"field": field})


def test_a_required_text_field_has_its_label_hint_and_dsfr_input():
    html = render(SampleForm()["name"])

    assert html.startswith('<div class="fr-input-group"><label class="fr-label" for="id_name">')
    # label and help text escaped, never marked safe by the layout
    assert "Nom &lt;b&gt;" in html
    assert '<span class="fr-hint-text">Tel qu&#x27;écrit &lt;i&gt;</span>' in html
    assert "Facultatif" not in html
    assert 'class="fr-input"' in html
    assert "-erreurs" not in html


def test_an_optional_field_says_so_unless_the_page_requires_it():
    form = SampleForm()

    assert '<span class="fr-hint-text">Facultatif</span>' in render(form["comment"])
    assert "Facultatif" not in render(form["comment"], " required=True")
    assert "<textarea" in render(form["comment"])


def test_a_select_takes_the_dsfr_select_classes():
    html = render(SampleForm()["channel"])

    assert html.startswith('<div class="fr-select-group">')
    assert 'class="fr-select"' in html
    assert '<option value="site">Sur place</option>' in html


def test_errors_are_shown_and_tied_to_the_widget():
    form = SampleForm(data={"channel": "inconnu"})
    form.is_valid()

    name, channel = render(form["name"]), render(form["channel"])

    assert 'class="fr-input-group fr-input-group--error"' in name
    assert 'class="fr-input fr-input--error"' in name
    assert 'aria-describedby="id_name-erreurs"' in name
    assert '<div id="id_name-erreurs"><p class="fr-error-text">' in name
    assert 'class="fr-select-group fr-select-group--error"' in channel
    assert 'class="fr-select fr-select--error"' in channel
    assert "Sélectionnez un choix valide" in channel


def test_a_checkbox_has_its_label_after_the_box_and_a_hidden_field_is_bare():
    form = SampleForm(data={"agreed": "on"})

    checkbox = render(form["agreed"])
    hidden = render(form["version"])

    assert checkbox.startswith('<div class="fr-checkbox-group fr-mb-2w"><input type="checkbox"')
    assert 'checked><label class="fr-label" for="id_agreed">D&#x27;accord</label>' in checkbox
    assert hidden == '<input type="hidden" name="version" id="id_version">'


class AgreementForm(forms.Form):
    agreed = forms.BooleanField(label="La personne est d'accord", help_text="Demandez-lui <b>")


def test_a_checkbox_in_error_is_described_by_its_errors_and_keeps_its_hint():
    form = AgreementForm(data={})
    form.is_valid()

    html = render(form["agreed"])

    assert html == (
        '<div class="fr-checkbox-group fr-mb-2w fr-checkbox-group--error">'
        '<input type="checkbox" name="agreed" aria-describedby="id_agreed-erreurs" required '
        'aria-invalid="true" '
        'id="id_agreed"><label class="fr-label" for="id_agreed">La personne est d&#x27;accord'
        '<span class="fr-hint-text">Demandez-lui &lt;b&gt;</span></label>'
        '<div id="id_agreed-erreurs"><p class="fr-error-text">Ce champ est obligatoire.</p></div>'
        "</div>"
    )


class EveryWidgetForm(forms.Form):
    """One field of each widget kind the project's forms use."""

    text = forms.CharField(max_length=20)
    email = forms.EmailField(required=False)
    number = forms.IntegerField(min_value=1)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    choice = forms.ChoiceField(choices=[("", "—"), ("a", "A & B"), ("b", "« B »")])
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("Côté « emploi »", [("e", "Emploi")]), ("Santé", [("s", "Soins")])],
        required=False,
    )
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    boxes = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple, required=False
    )
    radio = forms.ChoiceField(choices=[("o", "Oui"), ("n", "Non")], widget=forms.RadioSelect)
    flag = forms.BooleanField(required=False)
    upload = forms.FileField(required=False)
    secret = forms.IntegerField(widget=forms.HiddenInput, required=False)


@pytest.mark.parametrize(
    "form",
    [
        EveryWidgetForm(),
        EveryWidgetForm(
            data={
                "text": "Durand <script>",
                "number": "0",
                "day": "31/02/2026",
                "note": 'Rendez-vous "pris"',
                "choice": "a",
                "grouped": "s",
                "several": ["x", "y"],
                "boxes": ["y"],
                "radio": "n",
                "flag": "on",
                "secret": "7",
            }
        ),
        NoteForm(data={"text": "Rendez-vous <pris>"}),
        MilestoneForm(auto_id="etape_%s"),
        TransitionForm(initial={"version": 2}, auto_id="etat_%s"),
        DirectorySearchForm(auto_id="offre_%s"),
    ],
    ids=["vide", "saisi", "note", "etape", "etat", "offre"],
)
def test_jinja2_renders_every_widget_as_django_templates_would(form):
    form.is_bound and form.is_valid()

    def widgets(renderer):
        form.renderer = renderer
        return [form[name].as_widget(attrs={"class": "fr-input"}) for name in form.fields]

    with_jinja2 = widgets(get_default_renderer())
    with_django = widgets(DjangoTemplates())

    # the same elements, attributes and texts; only the blank lines between the options and
    # the form of an escaped apostrophe (&#39; for &#x27;) differ
    assert [parse_html(html) for html in with_jinja2] == [parse_html(html) for html in with_django]
    assert all(html.strip() for html in with_jinja2)


def test_the_widgets_sent_to_the_input_template_are_only_an_include_of_it_in_django():
    from pathlib import Path

    from partners.forms import INPUT_ONLY

    django_copies = Path(forms.__file__).parent / "jinja2"
    only_include = {
        f"django/forms/widgets/{path.name}"
        for path in (django_copies / "django/forms/widgets").glob("*.html")
        if path.read_text().strip() == '{% include "django/forms/widgets/input.html" %}'
    }

    assert only_include == INPUT_ONLY


def test_widget_attributes_are_written_as_django_attrs_template_writes_them():
    from partners.forms import widget_attrs

    written = widget_attrs({"id": 'a"b', "required": True, "disabled": False, "data-x": "<é>"})

    assert written == ' id="a&#34;b" required data-x="&lt;é&gt;"'
    assert widget_attrs({}) == ""


def test_a_widget_template_jinja2_has_no_copy_of_stays_with_django_templates():
    class AdminForm(forms.Form):
        at = forms.SplitDateTimeField(widget=AdminSplitDateTime)

    html = AdminForm()["at"].as_widget()

    assert 'class="datetime"' in html
    assert 'class="vDateField"' in html


@pytest.mark.django_db
def test_frozen_choices_are_the_iterators_read_in_one_plain_statement(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.forms import freeze_choices
    from partners.models import Professional
    from tests.partners.factories import ProfessionalFactory

    ProfessionalFactory.create_batch(3)

    class ChooseForm(forms.Form):
        who = forms.ModelChoiceField(queryset=Professional.objects.order_by("pk"))

    expected = [(str(value), label) for value, label in ChooseForm().fields["who"].choices]
    form = ChooseForm()
    with CaptureQueriesContext(connection) as captured:
        freeze_choices(form)
    with django_assert_num_queries(0):
        html = str(form["who"])

    assert [(str(value), label) for value, label in form.fields["who"].choices] == expected
    assert len(expected) == 4  # the empty choice and the three
    assert len(captured.captured_queries) == 1
    # not through a server-side cursor (DECLARE, then FETCH and CLOSE: three round trips)
    assert captured.captured_queries[0]["sql"].startswith("SELECT")
    assert html.count("<option") == 4


def test_the_rows_jour_filter_writes_a_day_as_the_pages_do():
    import datetime

    from django.utils import timezone

    from partners.fragments import jour

    late_evening_utc = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)

    assert jour(datetime.date(2026, 2, 3)) == "03/02/2026"
    assert jour(None) == "—"
    # 00:30 in Paris: the day in France, as Django's date filter writes it
    assert jour(late_evening_utc) == "01/01/2027"
    assert timezone.localtime(late_evening_utc).day == 1
