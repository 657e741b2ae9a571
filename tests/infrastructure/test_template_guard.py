import pytest
from django.template.loader import get_template, render_to_string

from partners.models import Professional
from tests.partners.factories import ProfessionalFactory
from tests.template_guard import TemplateQueryError, is_project_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_template(tmp_path, settings):
    """A template file in one of the project's template directories."""
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]

    def write(source: str) -> str:
        (tmp_path / "essai.html").write_text(source)
        return "essai.html"

    return write


def test_guard_refuses_and_records_a_query_made_by_a_template(
    project_template, template_query_guard
):
    ProfessionalFactory()
    name = project_template("{{ professionals.count }}")

    with pytest.raises(
        TemplateQueryError, match=r"^Requête SQL pendant le rendu de essai\.html : "
    ):
        render_to_string(name, {"professionals": Professional.objects.all()})

    assert [template for template, _ in template_query_guard.offending] == ["essai.html"]
    template_query_guard.offending.clear()  # the failure was the point of this test


def test_guard_records_a_query_swallowed_by_an_if_tag(project_template, template_query_guard):
    ProfessionalFactory()
    name = project_template("{% if professionals.exists and 1 %}oui{% endif %}")

    assert render_to_string(name, {"professionals": Professional.objects.all()}) == ""
    assert len(template_query_guard.offending) == 1
    template_query_guard.offending.clear()


def test_guard_lets_a_template_render_data_fetched_before(project_template, template_query_guard):
    professional = ProfessionalFactory(first_name="Camille")
    name = project_template("{% for p in professionals %}{{ p.first_name }}{% endfor %}")

    rendered = render_to_string(name, {"professionals": list(Professional.objects.all())})

    assert (rendered, template_query_guard.offending) == (professional.first_name, [])


def test_guard_covers_project_templates_not_third_party_ones():
    assert is_project_template(get_template("base.html").template)
    assert not is_project_template(get_template("admin/base.html").template)
