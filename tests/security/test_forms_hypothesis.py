"""Bad input on every form (hypothesis): never a server error, never a partial write, and a French
error on every rejection. CSRF is enforced on every POST URL.

Driven by the access matrix: every URL that accepts a POST from someone must be in FORMS (with
the form class, or the raw fields its view reads) or in NO_INPUT, or
``test_every_post_url_is_covered`` fails. The viewer is the first one the matrix lets POST.

Each example runs in a transaction rolled back afterwards, on one world built once.
``HYPOTHESIS_PROFILE=ci`` runs more examples.
"""

import datetime
import os
import re
from typing import Any

import pytest
from auditlog.models import LogEntry
from django import forms
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import forms as casework_forms
from casework.enums import JournalChannel
from casework.forms import messages as message_forms
from casework.models import InformationShare, LedgerHead
from casework.space import forms as space_forms
from orientation import forms as orientation_forms
from orientation.space.forms import ActionMarkForm
from orientation.space.views import OpinionForm
from partners import forms as partners_forms
from partners.models import Professional
from partners.tokens import activation_token
from tests.conftest import log_in
from tests.test_access_matrix import EXPECTATIONS, LOGGED_OUT, NOT_ALLOWED
from tests.world import ANONYMOUS, VIEWERS, World, build_world

pytestmark = pytest.mark.django_db

settings.register_profile(
    "dev",
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

#: Hostile text: empty, blanks, long, control characters, markup, SQL, other scripts.
TEXT = st.one_of(
    st.just(""),
    st.just("   "),
    st.text(max_size=40),
    st.text(min_size=260, max_size=400),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE casework_case; --",
            "\x00",
            "😀" * 10,
            "2026-13-45",
            "-1",
            "9" * 30,
            "nan",
        ]
    ),
)
DATES = st.dates(datetime.date(1800, 1, 1), datetime.date(2200, 12, 31)).map(str)
NUMBERS = st.integers(-3, 10**12).map(str)


def _strategy(field: forms.Field) -> st.SearchStrategy[Any]:
    """What a hostile or clumsy user may send for ``field``: valid-looking values and junk."""
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        choices = [str(value) for value, _ in getattr(field, "choices", []) if value]
        items = st.one_of(NUMBERS, TEXT, *([st.sampled_from(choices)] if choices else []))
        return st.lists(items, max_size=4)
    if isinstance(field, forms.ModelChoiceField):
        return st.one_of(st.integers(-1, 60).map(str), TEXT)
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "true", "0"])
    if isinstance(field, forms.ChoiceField):
        choices = [str(value) for value, _ in field.choices]
        return st.one_of(st.sampled_from(choices or [""]), TEXT)
    if isinstance(field, forms.DateTimeField):
        return st.one_of(DATES.map(lambda day: f"{day}T10:30"), TEXT)
    if isinstance(field, forms.DateField):
        return st.one_of(DATES, TEXT)
    if isinstance(field, forms.IntegerField):
        return st.one_of(NUMBERS, TEXT)
    return TEXT


def fields_of(*form_classes: type[forms.BaseForm]) -> dict[str, st.SearchStrategy[Any]]:
    return {
        name: _strategy(field)
        for form_class in form_classes
        for name, field in form_class.base_fields.items()
    }


BOOLEAN_TEXT = st.one_of(st.sampled_from(["on", "true", "false", ""]), TEXT)

#: Every POST URL that takes input: the form class(es) of its view, or the raw fields it reads.
#: A new form is added here (its URL is already in the access matrix's EXPECTATIONS).
FORMS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "login": fields_of(partners_forms.LoginForm),
    "password_change": fields_of(partners_forms.OwnPasswordChangeForm),
    "account_activate": fields_of(partners_forms.ActivationForm),
    "otp_setup": fields_of(partners_forms.TokenForm),
    "otp_verify": fields_of(partners_forms.TokenForm),
    "caseload": {"recherche": TEXT},
    "beneficiary_create": fields_of(casework_forms.BeneficiaryForm),
    "interview_log": fields_of(casework_forms.InterviewForm),
    "note_add": fields_of(casework_forms.NoteForm),
    "social_note_add": fields_of(casework_forms.NoteForm),
    "case_transition": fields_of(casework_forms.TransitionForm),
    "case_handover": fields_of(casework_forms.CaseHandoverForm),
    "pair_contact_create": fields_of(casework_forms.PairContactForm),
    "handover": fields_of(casework_forms.HandoverForm),
    "agreement_record": fields_of(casework_forms.AgreementForm),
    "delegations": fields_of(casework_forms.DelegationForm),
    "appointment_plan": fields_of(casework_forms.AppointmentForm),
    "appointment_outcome": fields_of(casework_forms.OutcomeForm),
    "appointment_change": fields_of(casework_forms.AppointmentChangeForm),
    "message_template_edit": {
        **fields_of(message_forms.MessageTemplateForm),
        "action": st.sampled_from(["preview", "save"]),
    },
    "breach_report": fields_of(casework_forms.BreachReportForm),
    "breach_observations": fields_of(casework_forms.BreachObservationsForm),
    "breach_decision": fields_of(casework_forms.BreachDecisionForm),
    "breach_remobilised": fields_of(casework_forms.BreachRemobilisedForm),
    "case_milestone": fields_of(casework_forms.MilestoneForm),
    "diagnostic_start": {"three_way": BOOLEAN_TEXT},
    "diagnostic_sections": {
        "section": st.one_of(st.sampled_from(["person", "professional", "social_summary"]), TEXT),
        **fields_of(
            orientation_forms.PersonSectionsForm,
            orientation_forms.ProfessionalSituationForm,
            orientation_forms.SocialSummaryForm,
        ),
    },
    "diagnostic_social_details": fields_of(orientation_forms.SocialDetailsForm),
    "obstacle_add": fields_of(orientation_forms.ObstacleForm),
    "obstacle_opinion": {"agrees": BOOLEAN_TEXT},
    "diagnostic_opinion": fields_of(orientation_forms.OpinionForm),
    "diagnostic_sign": {"person_agrees": BOOLEAN_TEXT},
    "recommendation_create": fields_of(orientation_forms.RecommendationForm),
    "recommendation_validate": fields_of(orientation_forms.ValidationForm),
    "decision_create": fields_of(orientation_forms.DecisionForm),
    "plan_contract": fields_of(orientation_forms.ContractForm),
    "action_add": fields_of(orientation_forms.ActionForm),
    "action_status": {"status": st.one_of(st.sampled_from(["to_do", "done", "dropped"]), TEXT)},
    # The person's rights (issue 9).
    "identity_rectify": fields_of(casework_forms.IdentityRectificationForm),
    "interview_rectify": fields_of(casework_forms.InterviewRectificationForm),
    "obstacle_rectify": fields_of(orientation_forms.ObstacleRectificationForm),
    "person_request_create": fields_of(casework_forms.PersonRequestForm),
    "person_request_answer": fields_of(casework_forms.PersonRequestAnswerForm),
    "person_search": fields_of(casework_forms.PersonSearchForm),
    "journal_search": {**fields_of(casework_forms.JournalSearchForm), "effacer": TEXT},
    "disposal": fields_of(casework_forms.DisposalApprovalForm),
    # Axis 1, the territory's offer, collective actions (issue 12).
    "social_request_create": fields_of(casework_forms.SocialRequestForm),
    "social_request_answer": fields_of(casework_forms.SocialRequestAnswerForm),
    "social_request_to_case": fields_of(casework_forms.SocialRequestToCaseForm),
    "resource_create": fields_of(casework_forms.ResourceForm),
    "resource_edit": fields_of(casework_forms.ResourceForm),
    "directory_import": fields_of(casework_forms.DirectoryImportForm),
    "flow_imports": fields_of(casework_forms.FlowUploadForm),
    "flow_import_decide": fields_of(casework_forms.FlowDecisionForm),
    # The list's steps: the upload, then the mapping (with the signed list), the ticked rows.
    "people_lists": {
        **fields_of(casework_forms.ListUploadForm, casework_forms.ListMappingForm),
        "etape": st.one_of(st.sampled_from(["", "apercu", "import"]), TEXT),
        "lignes": st.lists(st.one_of(NUMBERS, TEXT), max_size=4),
    },
    "programme_create": fields_of(casework_forms.ProgrammeForm),
    "programme_session_add": fields_of(casework_forms.ProgrammeSessionForm),
    "attendance_sheet": {"present": st.lists(st.one_of(NUMBERS, TEXT), max_size=4)},
    "enrolment_create": fields_of(casework_forms.EnrolmentForm),
    # The person's own space (issue 22, step 1).
    "space_login": fields_of(space_forms.ContactForm),
    "space_code": fields_of(space_forms.CodeForm),
    "space_invite": fields_of(space_forms.InvitationForm),
    "message_consent_give": fields_of(message_forms.MessageConsentForm),
    "space_messages": fields_of(space_forms.MessageForm),
    "space_appointment_change": fields_of(space_forms.AppointmentChangeForm),
    "space_breach": fields_of(space_forms.BreachObservationsForm),
    "space_data_requests": fields_of(space_forms.DataRequestForm),
    "space_diagnostic": fields_of(OpinionForm),
    "space_action_mark": fields_of(ActionMarkForm),
    "space_agreement_give": fields_of(space_forms.AgreementGiveForm),
    "space_channel_give": fields_of(space_forms.ChannelGiveForm),
}
#: POST URLs whose view reads no input (a confirmation button).
NO_INPUT = {
    # Printed documents: « Imprimer et remettre » posts nothing but the CSRF token.
    "information_notice",
    "handover_letter",
    "case_journal_print",
    "convocation",
    "breach_letter",
    "diagnostic_copy",
    "decision_letter",
    "plan_print",
    "logout",
    "logout_everywhere",
    "agreement_withdraw",
    "delegation_revoke",
    "diagnostic_new_version",
    "recommendation_sign",
    "obstacle_lift",
    "person_export",
    "social_request_close",
    "outbox_resend",
    "space_logout",
    "space_withdraw",
    "message_consent_withdraw",
    "space_agreement_withdraw",
    "space_agreement_withdraw_category",
    "space_channel_withdraw",
    "case_review_done",
    "appointment_cancel",
    # Confirmed transmission of a signalement (refused while the person's delay runs).
    "breach_transmit",
}
#: Where the first viewer the matrix lets POST would not reach the form.
VIEWER_FOR = {
    "otp_verify": "admin",
    "login": ANONYMOUS,
    "account_activate": ANONYMOUS,
    "space_login": ANONYMOUS,
    "space_code": ANONYMOUS,
}

#: Words of Django's English messages that no French message contains.
ENGLISH = re.compile(
    r"\b(this|field|enter|select|ensure|must|should|invalid|required|please|the)\b",
    re.IGNORECASE,
)


#: The message providers' delivery reports: no browser, no session, no CSRF token; their own
#: secret (tests/casework/test_messages_sending.py, test_messages_email.py), which every viewer's
#: POST lacks (the access matrix: 401, 400).
PROVIDER_WEBHOOKS = {"brevo_sms_report", "brevo_email_report"}
#: The partner API's writes (``api_…``): no browser, no session, no CSRF token; a partner
#: system's key, which every viewer's POST lacks (the access matrix: 401). Their bad input is
#: tested in tests/partners/test_api_appointments.py, test_api_orientation.py and by
#: schemathesis.
PARTNER_API_PREFIX = "api_"


def post_urls() -> set[str]:
    """Binôme's own forms. Django's admin (``admin:``, in the access matrix) is tested in
    tests/partners/test_admin.py and test_admin_scope.py."""
    return {
        name
        for name, expect in EXPECTATIONS.items()
        if expect.post is not None
        and not name.startswith("admin:")
        and name not in PROVIDER_WEBHOOKS
        and not name.startswith(PARTNER_API_PREFIX)
        and any(status not in (404, NOT_ALLOWED) for status in expect.post.values())
    }


def test_every_post_url_is_covered():
    assert post_urls() == set(FORMS) | NO_INPUT


def viewer_for(name: str) -> str:
    if name in VIEWER_FOR:
        return VIEWER_FOR[name]
    post = EXPECTATIONS[name].post or {}
    return next(v for v in VIEWERS if v not in LOGGED_OUT and post[v] not in (404, NOT_ALLOWED))


DOMAIN_APPS = ("partners", "casework", "orientation", "auth", "guardian", "django_otp")


def _snapshot() -> dict[str, int]:
    """Row counts of every table a form could write to. The journal's « consultation » rows are
    left out: a page shown again with its errors may show content whose reading is journaled."""
    models = [m for label in DOMAIN_APPS for m in apps.get_app_config(label).get_models()]
    models += [apps.get_model("otp_totp", "TOTPDevice"), LogEntry]
    counts = {
        model._meta.label: model._base_manager.count()
        for model in models
        if model not in (InformationShare, LedgerHead)
    }
    counts["journal (hors consultations)"] = InformationShare.objects.exclude(
        channel=JournalChannel.VIEW
    ).count()
    return counts


def _errors_shown(response: Any) -> tuple[list[str], bool]:
    """The error messages of the bound forms of the page and the messages framework; whether
    a success message was given, or a preview shown (a message's wording, saved by nothing)."""
    errors: list[str] = []
    previewed = False
    contexts = response.context if isinstance(response.context, list) else [response.context]
    for context in contexts:
        flat = context.flatten() if context is not None else {}
        previewed = previewed or flat.get("preview") is not None
        for value in flat.values():
            if isinstance(value, forms.BaseForm) and value.is_bound:
                errors += [str(m) for messages in value.errors.values() for m in messages]
    flashed = list(get_messages(response.wsgi_request))
    errors += [str(m) for m in flashed if m.level_tag == "error"]
    return errors, previewed or any(m.level_tag == "success" for m in flashed)


def check_form(client: Client, url: str, name: str, data: dict[str, Any]) -> None:
    with transaction.atomic():
        try:
            _check_form(client, url, name, data)
        finally:
            transaction.set_rollback(True)


def _check_form(client: Client, url: str, name: str, data: dict[str, Any]) -> None:
    client.cookies.pop("messages", None)  # messages of the previous example
    before = _snapshot()
    response = client.post(url, data)  # a server error raises here
    after = _snapshot()
    if response.status_code == 400:  # partners.middleware.RejectNulBytesMiddleware
        values = [
            v for value in data.values() for v in (value if isinstance(value, list) else [value])
        ]
        assert any("\x00" in str(value) for value in values), (name, data)
        assert "Demande incorrecte" in response.content.decode(), (name, data)
        assert after == before, (name, data)
        return
    errors, succeeded = _errors_shown(response)
    assert response.status_code in (200, 302), (name, data, response.status_code)
    english = [error for error in errors if ENGLISH.search(error)]
    assert english == [], (name, data, english)
    if errors:  # a rejection: nothing written at all
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert changed == {}, (name, data, errors, changed)
    elif before == after and response.status_code == 200 and not succeeded:
        # Nothing written, nothing said: a silent rejection.
        pytest.fail(f"{name}: rejet sans message pour {data!r}")


def _client(world: World, viewer: str) -> Client:
    client = Client()
    if viewer != ANONYMOUS:
        log_in(client, world.professionals[viewer])
    return client


def _run(client: Client, url: str, name: str) -> None:
    @given(data=st.fixed_dictionaries({}, optional=FORMS[name]))
    def run(data: dict[str, Any]) -> None:
        check_form(client, url, name, data)

    run()


def test_every_form_survives_bad_input(subtests):
    """One world for every form (building it is the slow part); one subtest per form."""
    world = build_world()
    clients = {viewer: _client(world, viewer) for viewer in VIEWERS if viewer != "inactive"}
    # The person's code form needs a contact typed first (else it sends back to the login).
    clients[ANONYMOUS].post(reverse("space_login"), {"contact": "personne@exemple.fr"})
    for name in sorted(FORMS):
        with subtests.test(form=name):
            url = reverse(name, kwargs=EXPECTATIONS[name].kwargs(world))
            if name == "account_activate":
                url = _activation_form_url(clients[ANONYMOUS], world)
            _run(clients[viewer_for(name)], url, name)


def _activation_form_url(client: Client, world: World) -> str:
    """The form of a real activation link (the matrix's link is a wrong one): the link puts its
    token in the session and sends to the « set-password » address, where the form posts."""
    # As stored: logging the world's clients in moved its last login, which the token holds.
    professional = Professional.objects.get(pk=world.case.pair.advisor_id)
    opened = client.get(
        reverse(
            "account_activate",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(professional.pk)),
                "token": activation_token.make_token(professional),
            },
        )
    )
    assert opened.status_code == 302
    return str(opened["Location"])


def _csrf_client(world: World, viewer: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if viewer != ANONYMOUS:
        log_in(client, world.professionals[viewer])
    return client


def test_csrf_enforced_on_every_post_url():
    """Each POST URL, by a viewer allowed to POST, without a CSRF token: 403, nothing written."""
    world = build_world()
    clients = {viewer: _csrf_client(world, viewer) for viewer in VIEWERS if viewer != "inactive"}
    before = _snapshot()
    statuses: dict[str, int] = {}
    for name in sorted(post_urls()):
        url = reverse(name, kwargs=EXPECTATIONS[name].kwargs(world))
        statuses[name] = clients[viewer_for(name)].post(url, {}).status_code

    assert statuses == dict.fromkeys(sorted(post_urls()), 403)
    assert _snapshot() == before
