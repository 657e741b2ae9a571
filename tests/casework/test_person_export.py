"""The right of access: everything about a person, as JSON and as a readable French document."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from casework.enums import JournalChannel
from casework.models import InformationShare
from casework.personal_data import REGISTRY, models_pointing_at_people
from casework.rights import person_export
from orientation.models import Notification
from orientation.reminders import reminders_send
from partners.enums import Role
from tests.casework.factories import SocialRequestFactory
from tests.casework.rights_factories import complete_file
from tests.conftest import log_in
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db


def labels(models) -> set[str]:
    return {model._meta.label for model in models}


def test_every_model_about_a_person_is_registered_for_the_export():
    # Found by walking foreign keys: a model added anywhere that points at a person (directly or
    # through a case, a diagnostic…) fails here until it is registered in personal_data.
    found = labels(models_pointing_at_people())

    assert found - labels(REGISTRY) == set()
    # Registered without pointing at a person: the visa the person's file points to.
    assert labels(REGISTRY) - found == {"casework.DisposalApproval"}
    assert {"casework.Interview", "casework.SocialNote", "orientation.Obstacle"} <= found


def test_export_of_a_complete_file_omits_no_table():
    file = complete_file()

    export = person_export(beneficiary=file.beneficiary, acting_user=None)

    data = json.loads(export.json_text)
    empty = sorted(
        model._meta.label
        for model in models_pointing_at_people()
        if not data["sections"].get(model._meta.label_lower, {"lignes": []})["lignes"]
    )
    assert empty == []
    for token in file.tokens:
        assert token in export.json_text
        assert token in export.html_text
    assert "Journal des accès et des partages" in export.html_text


def test_export_names_recipients_by_organisation_and_job_title():
    file = complete_file()
    advisor = file.case.pair.advisor

    export = person_export(beneficiary=file.beneficiary, acting_user=None)

    assert f"{advisor.job_title}, {advisor.organisation.name}" in export.html_text
    assert advisor.last_name not in export.html_text
    journal = json.loads(export.json_text)["sections"]["casework.informationshare"]["lignes"]
    assert {"actor_organisation", "actor_job_title", "recipient", "purpose"} <= set(journal[0])
    assert "ip" not in journal[0]
    assert "hash" not in journal[0]


def test_export_page_downloads_a_zip_and_journals_it():
    file = complete_file()
    auditor = ProfessionalFactory(
        role=Role.AUDITOR, organisation__department=file.beneficiary.department
    )
    client = Client()
    log_in(client, auditor)

    response = client.post(reverse("person_export", kwargs={"pk": file.beneficiary.pk}))

    assert response["Content-Disposition"] == (
        f'attachment; filename="binome-personne-{file.beneficiary.pk}.zip"'
    )
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == [
            f"binome-personne-{file.beneficiary.pk}.html",
            f"binome-personne-{file.beneficiary.pk}.json",
        ]
    row = InformationShare.objects.get(request_id=response["X-Request-ID"])
    assert (row.channel, row.actor, row.beneficiary_id) == (
        JournalChannel.EXPORT,
        auditor,
        file.beneficiary.pk,
    )


def test_export_person_command_writes_both_files_and_journals(tmp_path):
    file = complete_file()
    before = InformationShare.objects.filter(channel=JournalChannel.EXPORT).count()

    call_command("export_person", str(file.beneficiary.pk), "--output-dir", str(tmp_path))

    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [
        f"binome-personne-{file.beneficiary.pk}.html",
        f"binome-personne-{file.beneficiary.pk}.json",
    ]
    assert file.tokens[0] in (tmp_path / names[0]).read_text()
    assert InformationShare.objects.filter(channel=JournalChannel.EXPORT).count() == before + 1


def test_export_person_command_refuses_an_unknown_person():
    with pytest.raises(Exception, match="Aucune personne n°999999"):
        call_command("export_person", "999999")


def test_export_includes_notifications_about_the_persons_one_off_requests():
    request = SocialRequestFactory()
    reminders_send(today=request.due_on + datetime.timedelta(days=1))
    notification = Notification.objects.get(social_request=request)

    export = person_export(beneficiary=request.beneficiary, acting_user=None)

    rows = json.loads(export.json_text)["sections"]["orientation.notification"]["lignes"]
    assert [(row["id"], row["social_request_id"]) for row in rows] == [
        (notification.pk, request.pk)
    ]
