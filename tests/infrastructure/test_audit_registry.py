"""Every model in auditlog's registry refuses bulk writes, through `objects` and `_base_manager`;
no identity or free-text value reaches the audit rows."""

import datetime

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog

from casework import services
from casework.enums import CaseState
from partners.audit import BulkWriteRefused
from tests.casework.factories import (
    BeneficiaryFactory,
    CaseFactory,
    InterviewFactory,
    NoteFactory,
    SocialNoteFactory,
    SocialRequestFactory,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db

AUDITED = sorted(auditlog.get_models(), key=lambda model: model._meta.label)


def test_registry_covers_the_domain_models():
    assert {model._meta.label for model in AUDITED} == {
        "casework.Appointment",
        "casework.Attendance",
        "casework.Beneficiary",
        "casework.BreachReport",
        "casework.Case",
        "casework.CasePairPeriod",
        "casework.DisposalApproval",
        "casework.Enrolment",
        "casework.FlowImport",
        "casework.Delegation",
        "casework.Interview",
        "casework.MessageConsent",
        "casework.MessageTemplate",
        "casework.Note",
        "casework.PairContact",
        "casework.PersonMessage",
        "casework.PersonRequest",
        "casework.Programme",
        "casework.ProgrammeSession",
        "casework.Rectification",
        "casework.SentMessage",
        "casework.Resource",
        "casework.SharingAgreement",
        "casework.SocialNote",
        "casework.SocialRequest",
        "casework.SpaceAccess",
        "casework.Suspension",
        "orientation.Action",
        "orientation.ActionPlan",
        "orientation.Diagnostic",
        "orientation.Obstacle",
        "orientation.ObstacleLift",
        "orientation.OrientationDecision",
        "orientation.Recommendation",
        "orientation.SocialDetails",
        "partners.Department",
        "partners.Organisation",
        "partners.Pair",
        "partners.PartnerKey",
        "partners.PartnerSystem",
        "partners.Professional",
    }


@pytest.mark.parametrize("manager", ["objects", "_base_manager"])
@pytest.mark.parametrize("model", AUDITED, ids=[m._meta.label for m in AUDITED])
def test_bulk_writes_refused(model, manager):
    queryset = getattr(model, manager).all()

    for operation, attempt in (
        ("update", lambda: queryset.update(pk=0)),
        ("delete", lambda: queryset.delete()),
        ("bulk_create", lambda: queryset.bulk_create([])),
        ("bulk_update", lambda: queryset.bulk_update([], ["pk"])),
    ):
        with refused(
            BulkWriteRefused,
            f"{model.__name__}: {operation}() contourne la piste d'audit ; "
            "passez par un service, ou par partners.audit.audited_bulk pour un lot.",
        ):
            attempt()


def test_no_identity_or_free_text_in_audit_rows():
    case = CaseFactory(
        state=CaseState.ACTIVE,
        beneficiary__first_name="Prénomunique",
        beneficiary__last_name="Nomunique",
        beneficiary__birth_date=datetime.date(1977, 7, 17),
        beneficiary__france_travail_id="FT-IDUNIQUE",
    )
    services.beneficiary_create(
        department=case.pair.department,
        acting_user=None,
        first_name="Autreprénom",
        last_name="Autrenom",
        birth_date=datetime.date(1980, 1, 2),
        phone="0611223344",
        email="personne.unique@exemple.test",
        address="12 rue Introuvable",
        city="Villeunique",
    )
    InterviewFactory(case=case, summary="Compterenduunique")
    NoteFactory(case=case, text="Noteunique")
    SocialNoteFactory(case=case, text="Notesocialeunique")
    BeneficiaryFactory(department=case.pair.department)
    social_request = SocialRequestFactory(question="Questionunique")
    services.social_request_answer(
        social_request=social_request,
        acting_user=services.territory_correspondents(social_request.territory).get(),
        answer="Réponseunique",
    )

    audit = " ".join(
        f"{e.changes} {e.changes_text} {e.object_repr} {e.serialized_data} {e.additional_data}"
        for e in LogEntry.objects.all()
    )

    for value in (
        "Prénomunique",
        "Nomunique",
        "1977-07-17",
        "FT-IDUNIQUE",
        "Autreprénom",
        "0611223344",
        "personne.unique",
        "Introuvable",
        "Villeunique",
        "Compterenduunique",
        "Noteunique",
        "Notesocialeunique",
        "Questionunique",
        "Réponseunique",
    ):
        assert value not in audit, value
