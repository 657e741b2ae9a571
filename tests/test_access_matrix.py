"""Every URL × every viewer × (plain, htmx) × (GET, POST), crawled once per run, then read by two
tests:

- the access matrix: the status each one gets. The URLs come from the URL configuration; each
  needs a declared expectation in EXPECTATIONS, or ``test_every_url_has_an_expectation`` fails.
  Every issue that adds a URL adds its row.
- the canary: secret tokens (SECRET-<uuid>) appear only where DESIGN.md allows them. The
  factories write a canary token into every secret field (social notes today); the token may
  appear only in responses to the social worker of the case, and never in e-mails, audit rows or
  logs.

The crawl runs in a module-scoped transaction rolled back at the end, under the same template
query guard as every test.
"""

import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail import EmailMessage
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.models import InformationShare
from partners.admin import DepartmentScoped, OperatorOnlyAdmin
from partners.models import Organisation, OutboxMessage
from tests.conftest import CHECKED_COMBINATIONS, log_in, module_transaction
from tests.template_guard import TemplateQueryGuard, is_project_template
from tests.world import ANONYMOUS, VIEWERS, World, build_world

pytestmark = pytest.mark.django_db

PAIR_VIEWERS = [v for v in VIEWERS if v.endswith(("advisor", "social_worker"))]
#: The binôme of the world's case, and their remplaçant·es in force (who have their rights).
CASE_MEMBERS = ["case_advisor", "case_social_worker", "delegate_advisor", "delegate_social_worker"]
PAIR_MEMBERS = ["case_advisor", "case_social_worker"]
SOCIAL_WORKERS = ["case_social_worker", "delegate_social_worker"]
#: The functional administrators: the world's department's, and another department's, whose
#: department-wide pages (remplacements, offer, collective actions, handovers, failed sendings)
#: are their own department's.
ADMINS = ["admin", "other_department_admin"]
#: Those who may organise or stop the remplacements of the world (their own, their subtree's).
DELEGATION_ORGANISERS = [*PAIR_VIEWERS, "supervisor_subtree", "supervisor_other", *ADMINS]
LOGGED_OUT = [ANONYMOUS, "inactive"]
ADVISORS = [v for v in VIEWERS if v.endswith("advisor")]
CORRESPONDENTS = ["correspondent_social_worker", "other_correspondent_social_worker"]
#: The one-off request of the world: its requester and the correspondent of its territory.
REQUEST_READERS = ["case_advisor", "correspondent_social_worker"]
#: The world's collective action is organised by « Agence du centre »: its professionals.
ORGANISER_STAFF = ["case_advisor", "same_org_advisor", "supervisor_subtree", "admin"]
NOT_ALLOWED = 405


def statuses(default: int, **by_viewer: int) -> dict[str, int]:
    """``default`` for everyone, anonymous and inactive redirected to login, then overrides."""
    result = dict.fromkeys(VIEWERS, default)
    result.update(dict.fromkeys(LOGGED_OUT, 302))
    result.update(by_viewer)
    return result


def only(viewers: list[str], status: int, others: int = 404) -> dict[str, int]:
    return statuses(others, **dict.fromkeys(viewers, status))


def case_kwargs(world: World) -> dict[str, Any]:
    return {"pk": world.case.pk}


def obstacle_kwargs_of(key: str) -> Callable[[World], dict[str, Any]]:
    """One of the world's difficulties: ``obstacle`` (shared under the accord de partage),
    ``disputed_obstacle`` or ``uncovered_obstacle`` (which the advisors cannot see)."""
    return lambda world: {"pk": world.case.pk, "obstacle_pk": world.objects[key].pk}


obstacle_kwargs = obstacle_kwargs_of("obstacle")


def oriented_kwargs(world: World) -> dict[str, Any]:
    return {"pk": world.objects["oriented_case"].pk}


def recommendation_kwargs(world: World) -> dict[str, Any]:
    return {**oriented_kwargs(world), "rec_pk": world.objects["recommendation"].pk}


def decision_kwargs(world: World) -> dict[str, Any]:
    return {**oriented_kwargs(world), "decision_pk": world.objects["decision"].pk}


def appointment_kwargs(world: World) -> dict[str, Any]:
    return {**case_kwargs(world), "appointment_pk": world.objects["appointment"].pk}


def breach_kwargs(world: World) -> dict[str, Any]:
    return {**case_kwargs(world), "report_pk": world.objects["breach_report"].pk}


def action_kwargs(world: World) -> dict[str, Any]:
    return {**case_kwargs(world), "action_pk": world.objects["action"].pk}


def social_request_kwargs(world: World) -> dict[str, Any]:
    return {"pk": world.objects["social_request"].pk}


def interview_kwargs(world: World) -> dict[str, Any]:
    return {**case_kwargs(world), "interview_pk": world.objects["interview"].pk}


def person_kwargs(world: World) -> dict[str, Any]:
    return {"pk": world.case.beneficiary_id}


def pair_kwargs(world: World) -> dict[str, Any]:
    return {"pair_pk": world.pair.pk}


@dataclass(frozen=True)
class Expect:
    get: dict[str, int]
    post: dict[str, int] | None = None  # None: POST is not part of this URL
    kwargs: Callable[[World], dict[str, Any]] = field(default=lambda world: {})


EXPECTATIONS: dict[str, Expect] = {
    # Pair members land on their portefeuille (or requests), supervisors on the dashboard.
    "home": Expect(
        get=statuses(
            200, **dict.fromkeys([*PAIR_VIEWERS, "supervisor_subtree", "supervisor_other"], 302)
        )
    ),
    "team": Expect(get=only(["supervisor_subtree", "supervisor_other"], 200)),
    # Health: public for every viewer, answered before sessions and users (partners.health).
    "health_live": Expect(
        get=dict.fromkeys(VIEWERS, 200), post=dict.fromkeys(VIEWERS, NOT_ALLOWED)
    ),
    "health_ready": Expect(
        get=dict.fromkeys(VIEWERS, 200), post=dict.fromkeys(VIEWERS, NOT_ALLOWED)
    ),
    "login": Expect(
        get={**statuses(302), ANONYMOUS: 200, "inactive": 200},
        post={**statuses(302), ANONYMOUS: 200, "inactive": 200},
    ),
    "logout": Expect(
        get=statuses(NOT_ALLOWED, **dict.fromkeys(LOGGED_OUT, NOT_ALLOWED)), post=statuses(302)
    ),
    "logout_everywhere": Expect(get=statuses(NOT_ALLOWED), post=statuses(302)),
    # POST without data: the form comes back with its errors.
    "password_change": Expect(get=statuses(200), post=statuses(200)),
    # The activation link, for everyone (logged in or not): a wrong token gets the French page
    # « ce lien n'est plus valable », for GET and POST alike (tests/partners/test_accounts.py).
    "account_activate": Expect(
        get=dict.fromkeys(VIEWERS, 200),
        post=dict.fromkeys(VIEWERS, 200),
        kwargs=lambda world: {
            "uidb64": urlsafe_base64_encode(force_bytes(world.case.pair.advisor.pk)),
            "token": "1-pasvalable",
        },
    ),
    # Admin and auditor already have a device (tests.conftest.log_in): the page says so.
    "otp_setup": Expect(get=statuses(200), post=statuses(200)),
    # Those without a device are sent to enrol one.
    "otp_verify": Expect(
        get=statuses(302, admin=200, other_department_admin=200, auditor=200),
        post=statuses(302, admin=200, other_department_admin=200, auditor=200),
    ),
    "my_pairs": Expect(get=only(PAIR_VIEWERS, 200)),
    "caseload": Expect(get=only(PAIR_VIEWERS, 200), post=only(PAIR_VIEWERS, 302)),
    "beneficiary_create": Expect(get=only(PAIR_VIEWERS, 200), post=only(PAIR_VIEWERS, 200)),
    "case_detail": Expect(
        get=only([*CASE_MEMBERS, "supervisor_subtree", "admin", "auditor"], 200),
        kwargs=case_kwargs,
    ),
    "interview_log": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 200), kwargs=case_kwargs
    ),
    "note_add": Expect(get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 200), kwargs=case_kwargs),
    "social_note_add": Expect(
        get=statuses(NOT_ALLOWED), post=only(SOCIAL_WORKERS, 302), kwargs=case_kwargs
    ),
    "case_transition": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 302), kwargs=case_kwargs
    ),
    "case_handover": Expect(
        get=statuses(NOT_ALLOWED), post=only(["admin"], 200), kwargs=case_kwargs
    ),
    "handover_letter": Expect(
        get=only([*CASE_MEMBERS, "admin"], 200),
        post=only([*CASE_MEMBERS, "admin"], 302),
        kwargs=case_kwargs,
    ),
    # A point binôme is the binôme's own: a remplaçant·e is not a member of the pair.
    "pair_contact_create": Expect(
        get=only(PAIR_MEMBERS, 200), post=only(PAIR_MEMBERS, 200), kwargs=pair_kwargs
    ),
    "handover": Expect(get=only(ADMINS, 200), post=only(ADMINS, 200)),
    "agreement_record": Expect(
        get=only(SOCIAL_WORKERS, 200),
        post=only(SOCIAL_WORKERS, 200),
        kwargs=case_kwargs,
    ),
    "agreement_withdraw": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 302), kwargs=case_kwargs
    ),
    # Printed documents: GET is the preview, POST « Imprimer et remettre » (journaled, then
    # redirected to the page).
    "information_notice": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 302), kwargs=case_kwargs
    ),
    # The person's space, as the professionals meet it: their session is not a person's, so the
    # space's pages send them to the person's login (the person viewers:
    # tests/casework/test_person_space_matrix.py).
    "space_home": Expect(get=dict.fromkeys(VIEWERS, 302)),
    # The SMS provider's delivery reports: a shared secret, never a session. Every viewer's
    # session is refused the same (no secret configured in the tests: 401).
    "brevo_sms_report": Expect(
        get=dict.fromkeys(VIEWERS, NOT_ALLOWED), post=dict.fromkeys(VIEWERS, 401)
    ),
    # The e-mail provider's reports (django-anymail's view): its basic authentication refuses
    # every session with 400 (« SuspiciousOperation »); anymail answers GET the same.
    "brevo_email_report": Expect(
        get=dict.fromkeys(VIEWERS, NOT_ALLOWED), post=dict.fromkeys(VIEWERS, 400)
    ),
    "space_login": Expect(get=dict.fromkeys(VIEWERS, 200), post=dict.fromkeys(VIEWERS, 200)),
    # No contact typed yet: back to the login page.
    "space_code": Expect(get=dict.fromkeys(VIEWERS, 302), post=dict.fromkeys(VIEWERS, 302)),
    "space_messages": Expect(get=dict.fromkeys(VIEWERS, 302), post=dict.fromkeys(VIEWERS, 302)),
    "space_agreement": Expect(get=dict.fromkeys(VIEWERS, 302)),
    "space_channels": Expect(get=dict.fromkeys(VIEWERS, 302)),
    "space_channel_give": Expect(
        get=dict.fromkeys(VIEWERS, 302),
        post=dict.fromkeys(VIEWERS, 302),
        kwargs=lambda world: {"channel": "sms"},
    ),
    "space_channel_withdraw": Expect(
        get=dict.fromkeys(VIEWERS, 302),
        post=dict.fromkeys(VIEWERS, 302),
        kwargs=lambda world: {"channel": "sms"},
    ),
    "space_journal": Expect(get=dict.fromkeys(VIEWERS, 302)),
    "space_diagnostic": Expect(get=dict.fromkeys(VIEWERS, 302), post=dict.fromkeys(VIEWERS, 302)),
    "space_agreement_withdraw": Expect(
        get=dict.fromkeys(VIEWERS, 302), post=dict.fromkeys(VIEWERS, 302)
    ),
    "space_agreement_withdraw_category": Expect(
        get=dict.fromkeys(VIEWERS, 302),
        post=dict.fromkeys(VIEWERS, 302),
        kwargs=lambda world: {"category": "obstacles:housing"},
    ),
    "space_agreement_give": Expect(
        get=dict.fromkeys(VIEWERS, 302), post=dict.fromkeys(VIEWERS, 302)
    ),
    "space_data_requests": Expect(
        get=dict.fromkeys(VIEWERS, 302), post=dict.fromkeys(VIEWERS, 302)
    ),
    "space_appointment_change": Expect(
        get=dict.fromkeys(VIEWERS, 302),
        post=dict.fromkeys(VIEWERS, 302),
        kwargs=lambda world: {"pk": world.objects["appointment"].pk},
    ),
    "space_breach": Expect(
        get=dict.fromkeys(VIEWERS, 302),
        post=dict.fromkeys(VIEWERS, 302),
        kwargs=lambda world: {"pk": world.objects["breach_report"].pk},
    ),
    "space_logout": Expect(
        get=dict.fromkeys(VIEWERS, NOT_ALLOWED), post=dict.fromkeys(VIEWERS, 302)
    ),
    # The person's documents and plan d'action (issue 22): to the person's login, as above.
    "space_documents": Expect(get=dict.fromkeys(VIEWERS, 302)),
    "space_document_diagnostic": Expect(
        get=dict.fromkeys(VIEWERS, 302),
        kwargs=lambda world: {"version": world.objects["diagnostic"].version},
    ),
    "space_document_decision": Expect(
        get=dict.fromkeys(VIEWERS, 302),
        kwargs=lambda world: {"pk": world.objects["decision"].pk},
    ),
    "space_document_plan": Expect(get=dict.fromkeys(VIEWERS, 302)),
    "space_data_download": Expect(get=dict.fromkeys(VIEWERS, 302)),
    "space_plan": Expect(get=dict.fromkeys(VIEWERS, 302)),
    "space_action_mark": Expect(
        get=dict.fromkeys(VIEWERS, NOT_ALLOWED),
        post=dict.fromkeys(VIEWERS, 302),
        kwargs=lambda world: {"pk": world.objects["action"].pk},
    ),
    # The binôme invites; POST without data: the form comes back with its errors.
    "space_invite": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 200), kwargs=case_kwargs
    ),
    # The person's yes to messages; POST without data: the form comes back with its errors.
    "message_consent_give": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 200), kwargs=case_kwargs
    ),
    # The world's person gave no yes to SMS: back to the case page with a message.
    "message_consent_withdraw": Expect(
        get=only(CASE_MEMBERS, 302),
        post=only(CASE_MEMBERS, 302),
        kwargs=lambda world: {"pk": world.case.pk, "channel": "sms"},
    ),
    # The world's person has no access: back to the case page with a message.
    "space_withdraw": Expect(
        get=only(CASE_MEMBERS, 302), post=only(CASE_MEMBERS, 302), kwargs=case_kwargs
    ),
    "case_journal": Expect(
        get=only([*CASE_MEMBERS, "supervisor_subtree", "admin", "auditor"], 200),
        kwargs=case_kwargs,
    ),
    "case_journal_print": Expect(
        get=only([*CASE_MEMBERS, "auditor"], 200),
        post=only([*CASE_MEMBERS, "auditor"], 302),
        kwargs=case_kwargs,
    ),
    "journal_search": Expect(get=only(["auditor"], 200), post=only(["auditor"], 302)),
    "delegations": Expect(
        get=only(DELEGATION_ORGANISERS, 200), post=only(DELEGATION_ORGANISERS, 200)
    ),
    # A remplacement to come of the case's social worker: stopped by them or the admin (the
    # supervisor of the world's agency is the advisor's, not the social worker's); stopping it
    # again says it is over.
    "delegation_revoke": Expect(
        get=statuses(NOT_ALLOWED),
        post=only(["case_social_worker", "admin"], 302),
        kwargs=lambda world: {"pk": world.objects["delegations"]["to_come"].pk},
    ),
    "journal_export": Expect(get=only(["auditor"], 200)),
    "rights_changes": Expect(get=only(["auditor"], 200)),
    "diagnostic": Expect(get=only([*CASE_MEMBERS, "supervisor_subtree"], 200), kwargs=case_kwargs),
    "diagnostic_copy": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 302), kwargs=case_kwargs
    ),
    # POSTs without data: refused transitions redirect with a message, invalid forms re-render.
    **{
        name: Expect(get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, status), kwargs=case_kwargs)
        for name, status in (
            ("diagnostic_start", 302),
            ("diagnostic_sections", 302),
            ("obstacle_add", 200),
            ("diagnostic_opinion", 200),
            ("diagnostic_sign", 302),
            ("diagnostic_new_version", 302),
        )
    },
    "diagnostic_social_details": Expect(
        get=statuses(NOT_ALLOWED), post=only(SOCIAL_WORKERS, 302), kwargs=case_kwargs
    ),
    # On the difficulty the person disputes (an empty POST records that she disputes it: it
    # stays so). Every verb on a difficulty reads it through the viewer's diagnostic: the
    # advisors cannot see this one, and their POSTs find nothing. The other difficulties are in
    # HIDDEN_OBSTACLE_EXPECTATIONS below.
    "obstacle_opinion": Expect(
        get=statuses(NOT_ALLOWED),
        post=only(SOCIAL_WORKERS, 302),
        kwargs=obstacle_kwargs_of("disputed_obstacle"),
    ),
    "orientation": Expect(
        get=only([*CASE_MEMBERS, "supervisor_subtree", "admin", "auditor"], 200),
        kwargs=oriented_kwargs,
    ),
    "recommendation_create": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 200), kwargs=oriented_kwargs
    ),
    "recommendation_sign": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 302), kwargs=recommendation_kwargs
    ),
    "recommendation_validate": Expect(
        get=statuses(NOT_ALLOWED),
        post=only(["supervisor_subtree"], 302),
        kwargs=recommendation_kwargs,
    ),
    "decision_create": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 200), kwargs=oriented_kwargs
    ),
    "decision_letter": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 302), kwargs=decision_kwargs
    ),
    "to_validate": Expect(get=only(["supervisor_subtree", "supervisor_other"], 200)),
    "to_decide": Expect(get=only(PAIR_VIEWERS, 200)),
    "notifications": Expect(get=statuses(200)),
    "appointments": Expect(get=only(CASE_MEMBERS, 200), kwargs=case_kwargs),
    "appointment_plan": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 200), kwargs=case_kwargs
    ),
    "appointment_outcome": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 302), kwargs=appointment_kwargs
    ),
    "convocation": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 302), kwargs=appointment_kwargs
    ),
    # POST without data: the form comes back with its errors.
    "appointment_change": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 200), kwargs=appointment_kwargs
    ),
    # GET asks for confirmation; POST cancels (or says why not) and goes back to the list.
    "appointment_cancel": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 302), kwargs=appointment_kwargs
    ),
    # The référent of the world's case is its advisor.
    "breach_report": Expect(
        get=only(["case_advisor"], 200), post=only(["case_advisor"], 200), kwargs=case_kwargs
    ),
    # The world's signalement: its letter handed, the person's delay still running. The binôme
    # sees it and records the decision; the référent prints, notes, transmits, remobilises.
    "breach_detail": Expect(get=only(CASE_MEMBERS, 200), kwargs=breach_kwargs),
    # Printing again journals the print and goes back to the letter.
    "breach_letter": Expect(
        get=only(["case_advisor"], 200), post=only(["case_advisor"], 302), kwargs=breach_kwargs
    ),
    # POST without data: the form comes back with its errors.
    "breach_observations": Expect(
        get=statuses(NOT_ALLOWED), post=only(["case_advisor"], 200), kwargs=breach_kwargs
    ),
    # GET asks for confirmation; POST is refused (the delay runs) and goes back to the report.
    "breach_transmit": Expect(
        get=only(["case_advisor"], 200), post=only(["case_advisor"], 302), kwargs=breach_kwargs
    ),
    "breach_decision": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 200), kwargs=breach_kwargs
    ),
    "breach_remobilised": Expect(
        get=statuses(NOT_ALLOWED), post=only(["case_advisor"], 200), kwargs=breach_kwargs
    ),
    "case_milestone": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 302), kwargs=case_kwargs
    ),
    # « À examiner » seen (the world's case has nothing to examine: a message, then the page).
    "case_review_done": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 302), kwargs=case_kwargs
    ),
    "action_plan": Expect(
        get=only([*CASE_MEMBERS, "supervisor_subtree", "admin", "auditor"], 200),
        kwargs=case_kwargs,
    ),
    "plan_contract": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 200), kwargs=case_kwargs
    ),
    "action_add": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 200), kwargs=case_kwargs
    ),
    "action_status": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 302), kwargs=action_kwargs
    ),
    # The shared difficulty, lifted through the viewer's diagnostic. By the time of the POSTs,
    # agreement_withdraw's have withdrawn the accord de partage: nothing crosses any more, the
    # advisors' POSTs find nothing; the social workers are told that the référent·e lifts.
    "obstacle_lift": Expect(
        get=statuses(NOT_ALLOWED), post=only(SOCIAL_WORKERS, 302), kwargs=obstacle_kwargs
    ),
    "plan_print": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 302), kwargs=case_kwargs
    ),
    "supervision": Expect(get=only(["supervisor_subtree", "supervisor_other"], 200)),
    "supervision_list": Expect(
        get=only(["supervisor_subtree", "supervisor_other"], 200),
        kwargs=lambda world: {"figure": "ouverts"},
    ),
    "supervision_export": Expect(
        get=only(["supervisor_subtree", "supervisor_other"], 200),
        kwargs=lambda world: {"fmt": "xlsx"},
    ),
    "supervision_delays": Expect(get=only(["supervisor_subtree", "supervisor_other"], 200)),
    "supervision_delays_list": Expect(get=only(["supervisor_subtree", "supervisor_other"], 200)),
    "supervision_delays_export": Expect(get=only(["supervisor_subtree", "supervisor_other"], 200)),
    # Axis 1: advisors ask, the territory's correspondents answer; nobody else sees a request.
    "social_requests": Expect(get=only([*ADVISORS, *CORRESPONDENTS], 200)),
    "social_request_create": Expect(get=only(ADVISORS, 200), post=only(ADVISORS, 200)),
    "social_request_detail": Expect(get=only(REQUEST_READERS, 200), kwargs=social_request_kwargs),
    # Already answered: the empty answer form re-renders the page.
    "social_request_answer": Expect(
        get=statuses(NOT_ALLOWED),
        post=only(["correspondent_social_worker"], 200),
        kwargs=social_request_kwargs,
    ),
    "social_request_close": Expect(
        get=statuses(NOT_ALLOWED), post=only(REQUEST_READERS, 302), kwargs=social_request_kwargs
    ),
    "social_request_to_case": Expect(
        get=statuses(NOT_ALLOWED), post=only(["case_advisor"], 200), kwargs=social_request_kwargs
    ),
    # The territory's offer: everyone searches it; the functional administrator keeps it.
    "directory": Expect(get=statuses(200)),
    "resource_create": Expect(get=only(ADMINS, 200), post=only(ADMINS, 200)),
    "resource_edit": Expect(
        get=only(["admin"], 200),
        post=only(["admin"], 200),
        kwargs=lambda world: {"pk": world.objects["resource"].pk},
    ),
    "directory_import": Expect(get=only(ADMINS, 200), post=only(ADMINS, 200)),
    "directory_export": Expect(get=only(ADMINS, 200)),
    # Data in (issue 24): the CAF/MSA flow, the department's administrator's. An empty upload
    # or decision re-renders the page with its French errors.
    "flow_imports": Expect(get=only(ADMINS, 200), post=only(ADMINS, 200)),
    "flow_import_detail": Expect(
        get=only(["admin"], 200), kwargs=lambda world: {"pk": world.objects["flow_import"].pk}
    ),
    # Lists of people: an empty POST is the upload step, its form re-rendered with its error.
    "people_lists": Expect(get=only(ADMINS, 200), post=only(ADMINS, 200)),
    "flow_import_decide": Expect(
        get=statuses(NOT_ALLOWED),
        post=only(["admin"], 200),
        kwargs=lambda world: {"pk": world.objects["flow_import"].pk},
    ),
    # Collective actions: everyone in the department sees them; the administrator records
    # them; the organiser (the advisors' agency) and the administrator take attendance;
    # the binôme enrols the person from the case page.
    "programmes": Expect(get=statuses(200)),
    "programme_create": Expect(get=only(ADMINS, 200), post=only(ADMINS, 200)),
    "programme_detail": Expect(
        get=statuses(200, other_department_admin=404),
        kwargs=lambda world: {"pk": world.objects["programme"].pk},
    ),
    "programme_session_add": Expect(
        get=statuses(NOT_ALLOWED),
        post=only(["admin"], 200),
        kwargs=lambda world: {"pk": world.objects["programme"].pk},
    ),
    "attendance_sheet": Expect(
        get=only(ORGANISER_STAFF, 200),
        post=only(ORGANISER_STAFF, 302),
        kwargs=lambda world: {
            "pk": world.objects["programme"].pk,
            "session_pk": world.objects["programme_session"].pk,
        },
    ),
    "enrolment_create": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 302), kwargs=case_kwargs
    ),
    # The person's rights: the binôme records them; the DPO (auditor) exports and answers.
    "case_rights": Expect(get=only(CASE_MEMBERS, 200), kwargs=case_kwargs),
    "identity_rectify": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 200), kwargs=case_kwargs
    ),
    "person_request_create": Expect(
        get=statuses(NOT_ALLOWED), post=only(CASE_MEMBERS, 200), kwargs=case_kwargs
    ),
    "interview_rectify": Expect(
        get=only(CASE_MEMBERS, 200), post=only(CASE_MEMBERS, 200), kwargs=interview_kwargs
    ),
    # The world's shared housing difficulty: both members see its form (GETs come first); by
    # the POSTs the accord is withdrawn (see obstacle_lift), and only the social side finds it
    # (the empty POST re-renders the form with its errors).
    "obstacle_rectify": Expect(
        get=only(CASE_MEMBERS, 200), post=only(SOCIAL_WORKERS, 200), kwargs=obstacle_kwargs
    ),
    "person_search": Expect(get=only(["auditor"], 200), post=only(["auditor"], 200)),
    "person_rights": Expect(get=only(["auditor"], 200), kwargs=person_kwargs),
    "person_export": Expect(
        get=statuses(NOT_ALLOWED), post=only(["auditor"], 200), kwargs=person_kwargs
    ),
    "person_requests": Expect(get=only(["auditor"], 200)),
    "person_request_answer": Expect(
        get=statuses(NOT_ALLOWED),
        post=only(["auditor"], 302),
        kwargs=lambda world: {"request_pk": world.objects["person_request"].pk},
    ),
    "disposal": Expect(get=only(["auditor"], 200), post=only(["auditor"], 200)),
    # The outbox's « Envois en échec »: the department's administrator only. The first POST
    # puts the world's row back; the second says it is no longer in échec: both redirect.
    "outbox_failed": Expect(get=only(ADMINS, 200)),
    # Each administrator edits their own department's wording (POST without data: the errors).
    "message_templates": Expect(get=only(ADMINS, 200)),
    "message_template_edit": Expect(
        get=only(ADMINS, 200),
        post=only(ADMINS, 200),
        kwargs=lambda world: {"kind": "convocation", "channel": "sms"},
    ),
    "outbox_resend": Expect(
        get=only(["admin"], 200),
        post=only(["admin"], 302),
        kwargs=lambda world: {"pk": world.objects["failed_email"].pk},
    ),
}


# The partner API (/api/v1/): a partner system's key, never a session. Every viewer, signed in
# or not, gets the 401 problem « cle-absente » (tests/partners/test_api.py has the partners' own
# matrix); the OpenAPI description holds no data and is public. GET only: POST is not part of
# the read URLs.
API_KEY_ONLY = dict.fromkeys(VIEWERS, 401)
EXPECTATIONS |= {
    "api_schema": Expect(get=dict.fromkeys(VIEWERS, 200)),
    "api_cases": Expect(get=API_KEY_ONLY),
    "api_case": Expect(get=API_KEY_ONLY, kwargs=case_kwargs),
}


def api_appointment_kwargs(world: World) -> dict[str, Any]:
    return {"case_id": world.case.pk, "partner_ref": "rdvi-1"}


# appointments:write: PUT or POST with a partner's key; GET and POST without one are the same
# 401 (authentication comes before the method).
EXPECTATIONS |= {
    name: Expect(get=API_KEY_ONLY, post=API_KEY_ONLY, kwargs=api_appointment_kwargs)
    for name in ("api_appointment", "api_appointment_cancel", "api_appointment_outcome")
}
# orientation:write: POST with a partner's key; GET and POST without one, the same 401.
EXPECTATIONS["api_orientation_decisions"] = Expect(
    get=API_KEY_ONLY, post=API_KEY_ONLY, kwargs=lambda world: {"case_id": world.case.pk}
)


# The functional administration (Django's admin): staff only, the others are sent to the login.
# Every page of every registered ModelAdmin is generated from the admin site's registry, on the
# world's department's objects: its administrator gets the page, the other department's
# administrator the same 404 as for a missing object (or their own department's lists and add
# forms), for GET and for POST. The operators' admins (OperatorOnlyAdmin) are closed to both.
def admin_site(status: int, other: int | None = None) -> dict[str, int]:
    """``status`` for the world's administrator, ``other`` (the same by default) for the other
    department's; every other viewer is sent to the login."""
    return statuses(302, admin=status, other_department_admin=status if other is None else other)


def admin_object(world: World, model: type[Model]) -> Model:
    """The world's object of ``model``: of the world's department when its admin is scoped."""
    model_admin = admin.site.get_model_admin(model)
    objects = model._default_manager.order_by("pk")
    if isinstance(model_admin, DepartmentScoped):
        objects = objects.filter(**{model_admin.department_lookup: world.pair.department_id})
    found = objects.first()
    assert found is not None, f"Le monde des tests n'a aucun objet {model._meta.label}."
    return found


def admin_pages(model: type[Model]) -> dict[str, Expect]:
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"

    def of_object(world: World) -> dict[str, Any]:
        return {"object_id": admin_object(world, model).pk}

    if isinstance(admin.site.get_model_admin(model), OperatorOnlyAdmin):
        closed = admin_site(403)
        return {
            f"{prefix}_changelist": Expect(get=closed, post=closed),
            f"{prefix}_add": Expect(get=closed, post=closed),
            **{
                f"{prefix}_{page}": Expect(get=closed, post=closed, kwargs=of_object)
                for page in ("change", "history", "delete")
            },
        }
    # POSTs without data: the forms come back with their errors; nothing is ever deleted.
    return {
        f"{prefix}_changelist": Expect(get=admin_site(200), post=admin_site(200)),
        f"{prefix}_add": Expect(get=admin_site(200), post=admin_site(200)),
        f"{prefix}_change": Expect(
            get=admin_site(200, other=404), post=admin_site(200, other=404), kwargs=of_object
        ),
        f"{prefix}_history": Expect(
            get=admin_site(200, other=404), post=admin_site(200, other=404), kwargs=of_object
        ),
        f"{prefix}_delete": Expect(
            get=admin_site(403, other=404), post=admin_site(403, other=404), kwargs=of_object
        ),
    }


def totp_device_kwargs(world: World) -> dict[str, Any]:
    return {"pk": admin_object(world, TOTPDevice).pk}


ADMIN_EXPECTATIONS: dict[str, Expect] = {
    name: expect
    for model in apps.get_models()
    if admin.site.is_registered(model)
    for name, expect in admin_pages(model).items()
}
ADMIN_EXPECTATIONS |= {
    "admin:index": Expect(get=admin_site(200)),
    # The apps' pages: only the partners' models are the functional administrators'.
    "admin:app_list": Expect(get=admin_site(200), kwargs=lambda world: {"app_label": "partners"}),
    "admin:jsi18n": Expect(get=admin_site(200)),
    # Binôme's own login page (throttling, second factor): everyone is sent there.
    "admin:login": Expect(get=statuses(302), post=statuses(302)),
    # Binôme's logout page answers: back to the login.
    "admin:logout": Expect(get=admin_site(NOT_ALLOWED), post=statuses(302)),
    "admin:password_change": Expect(get=admin_site(200), post=admin_site(200)),
    "admin:password_change_done": Expect(get=admin_site(200)),
    # Without its parameters, the autocomplete refuses (its scoping: test_admin_scope.py).
    "admin:autocomplete": Expect(get=admin_site(403)),
    # No model of the site has a page of its own to send to.
    "admin:view_on_site": Expect(
        get=admin_site(404),
        kwargs=lambda world: {
            "content_type_id": ContentType.objects.get_for_model(Organisation).pk,
            "object_id": world.case.pair.advisor.organisation_id,
        },
    ),
    # django-otp's pages of a device (its key, its QR code): the operators' only.
    "admin:otp_totp_totpdevice_config": Expect(get=admin_site(403), kwargs=totp_device_kwargs),
    "admin:otp_totp_totpdevice_qrcode": Expect(get=admin_site(403), kwargs=totp_device_kwargs),
}
# A new department is outside every department: the operators (superusers) add it.
ADMIN_EXPECTATIONS["admin:partners_department_add"] = Expect(
    get=admin_site(403), post=admin_site(403)
)
# The end form of a binôme without an end date is valid and changes nothing: back to the list.
ADMIN_EXPECTATIONS["admin:partners_pair_change"] = replace(
    ADMIN_EXPECTATIONS["admin:partners_pair_change"], post=admin_site(302, other=404)
)
# A partner system's key is never edited (rotated or revoked from the list): its change page is
# read-only, and a POST to it is refused.
ADMIN_EXPECTATIONS["admin:partners_partnerkey_change"] = replace(
    ADMIN_EXPECTATIONS["admin:partners_partnerkey_change"], post=admin_site(403, other=404)
)
EXPECTATIONS |= ADMIN_EXPECTATIONS

#: The verbs on a difficulty, crawled again on the difficulties the advisors cannot see: the
#: housing one the person disputes (housing is covered by the accord) and the health one (not
#: covered). Only the social side finds them; for everyone else, the advisor and the
#: remplaçant advisor included, the same 404 as a missing one, and nothing written
#: (``test_a_404_writes_nothing``). Keyed « URL name (which difficulty) ».
HIDDEN_OBSTACLE_EXPECTATIONS: dict[str, tuple[str, Expect]] = {
    f"{name} ({key})": (name, expect)
    for key in ("disputed_obstacle", "uncovered_obstacle")
    for name, expect in (
        (
            "obstacle_rectify",
            Expect(
                get=only(SOCIAL_WORKERS, 200),
                post=only(SOCIAL_WORKERS, 200),
                kwargs=obstacle_kwargs_of(key),
            ),
        ),
        (
            "obstacle_lift",
            Expect(
                get=statuses(NOT_ALLOWED),
                post=only(SOCIAL_WORKERS, 302),
                kwargs=obstacle_kwargs_of(key),
            ),
        ),
        (
            "obstacle_opinion",
            Expect(
                get=statuses(NOT_ALLOWED),
                post=only(SOCIAL_WORKERS, 302),
                kwargs=obstacle_kwargs_of(key),
            ),
        ),
    )
}


def solo_case_kwargs(world: World) -> dict[str, Any]:
    return {"pk": world.objects["solo_case"].pk}


def solo_appointment_kwargs(world: World) -> dict[str, Any]:
    return {**solo_case_kwargs(world), "appointment_pk": world.objects["solo_appointment"].pk}


def solo_interview_kwargs(world: World) -> dict[str, Any]:
    return {**solo_case_kwargs(world), "interview_pk": world.objects["solo_interview"].pk}


#: The rows of the world's case crawled again on the suivi social seul's case (axis 3), with the
#: same URL arguments taken from that case.
SOLO_KWARGS: dict[Callable[[World], dict[str, Any]], Callable[[World], dict[str, Any]]] = {
    case_kwargs: solo_case_kwargs,
    oriented_kwargs: solo_case_kwargs,
    appointment_kwargs: solo_appointment_kwargs,
    interview_kwargs: solo_interview_kwargs,
}
#: Who stays as for the world's case: the department's administrator and auditor (metadata,
#: department-wide), the other department's, and the logged-out.
SOLO_UNCHANGED = {"admin", "other_department_admin", "auditor", *LOGGED_OUT}
#: Where the solo social worker gets what the référent·e gets (the world's référent·e is its
#: advisor; in a suivi social seul, the social worker is): the signalement de manquement.
SOLO_AS_REFERENT = {"breach_report"}
#: The suivi social seul's person gave no accord de partage (there is no advisor to share with):
#: « retirer l'accord » sends its social worker back to the case page, with a message.
SOLO_OVERRIDES = {("agreement_withdraw", "get"): 302}


def solo_statuses(name: str, method: str, by_viewer: dict[str, int]) -> dict[str, int]:
    """What each viewer gets on the suivi social seul's case: its social worker what the world's
    social worker gets (or its référent·e); the department's administrator and auditor what they
    get on any case of the department; everyone else (the world's binôme, its remplaçant·es, every
    advisor, the agencies' supervisors) what a stranger to the case gets."""
    stranger = by_viewer["same_org_social_worker"]
    result = {
        viewer: status if viewer in SOLO_UNCHANGED else stranger
        for viewer, status in by_viewer.items()
    }
    result["solo_social_worker"] = SOLO_OVERRIDES.get(
        (name, method),
        by_viewer["case_advisor" if name in SOLO_AS_REFERENT else "case_social_worker"],
    )
    return result


#: Axis 3: every URL of a case, on the suivi social seul's case. Keyed « URL name (suivi social
#: seul) ».
SOLO_EXPECTATIONS: dict[str, tuple[str, Expect]] = {
    f"{name} (suivi social seul)": (
        name,
        Expect(
            get=solo_statuses(name, "get", expect.get),
            post=None if expect.post is None else solo_statuses(name, "post", expect.post),
            kwargs=SOLO_KWARGS[expect.kwargs],
        ),
    )
    for name, expect in EXPECTATIONS.items()
    if expect.kwargs in SOLO_KWARGS
}
#: Every row the crawl requests: its label (the URL name, or the keys above), its URL name and
#: what each viewer gets.
CRAWLED: dict[str, tuple[str, Expect]] = {
    **{name: (name, expect) for name, expect in EXPECTATIONS.items()},
    **HIDDEN_OBSTACLE_EXPECTATIONS,
    **SOLO_EXPECTATIONS,
}


def url_names(patterns: list[Any] | None = None, namespace: str | None = None) -> set[str]:
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            names |= url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_every_url_has_an_expectation():
    assert url_names() == set(EXPECTATIONS)


def clients_for(world: World) -> dict[str, Client]:
    clients = {ANONYMOUS: Client()}
    for viewer, professional in world.professionals.items():
        clients[viewer] = log_in(Client(), professional)
    return clients


def _written() -> tuple[int, int]:
    """The audit rows and the journal rows: a request that writes anything adds to one of them."""
    return LogEntry.objects.count(), InformationShare.objects.count()


def crawl(
    world: World,
) -> tuple[dict[tuple[str, str, str, str], Any], set[tuple[str, str, str, str]]]:
    """Request every declared URL as every viewer; the responses by (row, method, variant,
    viewer), and the keys of the requests that wrote an audit or journal row.

    POSTs carry no data: they exercise access control, not the forms.
    """
    responses, wrote = {}, set()
    for method in ("get", "post"):  # every GET first: the POSTs change the world
        for label, (name, expect) in CRAWLED.items():
            if getattr(expect, method) is None:
                continue
            url = reverse(name, kwargs=expect.kwargs(world))
            for variant, headers in (("plain", {}), ("htmx", {"HX-Request": "true"})):
                clients = clients_for(world)  # fresh sessions: a logout must not carry over
                for viewer in VIEWERS:
                    key = (label, method, variant, viewer)
                    before = _written()
                    responses[key] = getattr(clients[viewer], method)(url, headers=headers)
                    if _written() != before:
                        wrote.add(key)
    return responses, wrote


@dataclass(frozen=True)
class Crawl:
    world: World
    responses: dict[tuple[str, str, str, str], Any]
    #: The requests that wrote an audit or a journal row.
    wrote: set[tuple[str, str, str, str]]
    logs: str  # every log record of the crawl, DEBUG included
    outbox: list[EmailMessage]


@pytest.fixture(scope="module")
def crawled(django_db_setup: None, django_db_blocker: Any) -> Iterator[Crawl]:
    """The world, crawled once for the module's tests (rolled back when the module ends)."""
    records: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: records.append(handler.format(record))  # type: ignore[method-assign]
    root = logging.getLogger()
    guard = TemplateQueryGuard(is_project_template)
    with module_transaction(django_db_blocker):
        previous_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        mail.outbox = []
        try:
            with guard.installed():
                world = build_world()
                responses, wrote = crawl(world)
        finally:
            root.removeHandler(handler)
            root.setLevel(previous_level)
        if guard.offending:
            lines = "\n".join(f"  {name}: {sql}" for name, sql in guard.offending)
            pytest.fail(f"Requêtes SQL pendant le rendu d'un gabarit :\n{lines}", pytrace=False)
        yield Crawl(world, responses, wrote, "\n".join(records), list(mail.outbox))


def test_access_matrix(request, crawled):
    responses = crawled.responses

    actual = {key: response.status_code for key, response in responses.items()}
    expected = {
        key: getattr(CRAWLED[key[0]][1], key[1])[key[3]]  # (row, method, variant, viewer)
        for key in actual
    }
    wrong = {key: (got, expected[key]) for key, got in actual.items() if got != expected[key]}
    assert wrong == {}, "(url, méthode, variante, rôle) : (obtenu, attendu)"
    # Every response to a logged-in professional may hold personal data: none is stored.
    stored = sorted(
        key
        for key, response in responses.items()
        if key[3] not in LOGGED_OUT
        # (The health URLs are answered before any user is loaded: they never have one.)
        and hasattr(response.wsgi_request, "user")
        and response.wsgi_request.user.is_authenticated
        and "no-store" not in response.get("Cache-Control", "")
    )
    assert stored == []
    request.config.stash[CHECKED_COMBINATIONS] = len(actual)


NAV_LINK = re.compile(r'<a class="fr-nav__link"\s+href="([^"?#]+)')


def test_every_navigation_link_answers_its_viewer(crawled):
    """The menu shows each viewer only pages that answer them 200 (never a link to a 404)."""
    shown: dict[tuple[str, str], int] = {}
    for (_name, method, variant, viewer), response in crawled.responses.items():
        if (method, variant) != ("get", "plain") or response.status_code != 200:
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for href in NAV_LINK.findall(response.content.decode()):
            target = resolve(href).view_name
            answer = crawled.responses.get((target, "get", "plain", viewer))
            shown[(viewer, href)] = answer.status_code if answer is not None else 0

    assert len(shown) > len(VIEWERS)  # every signed-in viewer has a menu
    assert {key: status for key, status in shown.items() if status != 200} == {}


def test_a_404_writes_nothing(crawled):
    """Not found and not allowed are the same 404, and neither writes: no audit row, no journal
    row (a refused verb on a difficulty the viewer cannot see changes nothing)."""
    refused = {key for key, response in crawled.responses.items() if response.status_code == 404}

    assert sorted(refused & crawled.wrote) == []
    # The check can fail: allowed requests of the crawl did write.
    assert crawled.wrote
    hidden = {key for key in refused if key[0] in HIDDEN_OBSTACLE_EXPECTATIONS}
    assert {key[3] for key in hidden if key[1] == "post"} >= {"case_advisor", "delegate_advisor"}


def test_other_department_admin_meets_nothing_of_the_world(crawled):
    """The world's department, its organisations and its professionals never appear in a page
    to the other department's administrator: its admin lists are empty of them."""
    world, responses = crawled.world, crawled.responses
    tokens = [
        str(world.pair.department),
        "Agence du centre",
        "MDS du centre",
        "Agence du nord",
        "MDS du nord",
        *(p.email for name, p in world.professionals.items() if name != "other_department_admin"),
    ]

    seen = sorted(
        (key[0], key[1], token)
        for key, response in responses.items()
        if key[3] == "other_department_admin"
        for token in tokens
        if token in content_of(response)
    )
    # The check can fail: the world's administrator does see them in the same pages.
    seen_by_admin = {
        token
        for key, response in responses.items()
        if key[3] == "admin" and key[0].startswith("admin:")
        for token in tokens
        if token in content_of(response)
    }

    assert seen == []
    assert seen_by_admin == set(tokens)


#: The social worker of the case and their remplaçant·e in force (never the expired one).
ALLOWED_VIEWERS = {"case_social_worker", "delegate_social_worker"}
#: The person's full export is everything about them, secret included, for the person: the DPO
#: produces it (downloaded, never displayed, journaled).
ALLOWED_RESPONSES = {("person_export", "auditor")}
#: The journal's pages and export, and the categories of the world's case that no accord covers
#: (« Synthèse sociale » and « Difficultés : logement » are covered, and crossed).
JOURNAL_PAGES = {"case_journal", "journal_search", "journal_export", "rights_changes"}
SECRET_CATEGORY_LABELS = ["Difficultés : santé", "Notes sociales", "Éléments sociaux détaillés"]


def content_of(response) -> str:
    """The text of a response, the members of a ZIP attachment included."""
    if response.get("Content-Type") == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return " ".join(archive.read(name).decode() for name in archive.namelist())
    return response.content.decode(errors="replace")


def test_secret_tokens_only_where_allowed(crawled):
    world, responses = crawled.world, crawled.responses

    leaks = sorted(
        key
        for key, response in responses.items()
        for token in world.secrets
        if token in content_of(response)
        and key[3] not in ALLOWED_VIEWERS
        and (key[0], key[3]) not in ALLOWED_RESPONSES
    )
    seen_by_allowed = {
        key[0]
        for key, response in responses.items()
        if key[3] in ALLOWED_VIEWERS
        and any(token in response.content.decode() for token in world.secrets)
    }
    assert leaks == []
    # The journal names the social side's categories to the case's social workers only.
    named = sorted(
        key
        for key, response in responses.items()
        for label in SECRET_CATEGORY_LABELS
        if key[0] in JOURNAL_PAGES
        and label in content_of(response)
        and key[3] not in ALLOWED_VIEWERS
    )
    assert named == []
    social_journal = content_of(responses[("case_journal", "get", "plain", "case_social_worker")])
    assert [label in social_journal for label in SECRET_CATEGORY_LABELS] == [True] * 3
    assert "Éléments du côté social" in content_of(
        responses[("journal_export", "get", "plain", "auditor")]
    )
    # Every response that showed a secret, or content that crossed by agreement, wrote exactly
    # one journal row, tied to it by its request id.
    showing = [
        response
        for response in responses.values()
        if any(
            token in content_of(response)
            for token in world.secrets + world.shared + world.request_content
        )
    ]
    rows_per_response = [
        InformationShare.objects.filter(request_id=response["X-Request-ID"]).count()
        for response in showing
    ]
    assert showing
    assert rows_per_response == [1] * len(showing)
    # The check can fail: the social worker does see the token on the case page.
    assert {"case_detail", "diagnostic", "diagnostic_copy"} <= seen_by_allowed
    export = responses[("person_export", "post", "plain", "auditor")]
    # (The crawl's empty POST to diagnostic_social_details has emptied that secret by now.)
    assert any(token in content_of(export) for token in world.secrets)
    # Shared content reaches the binôme only (the advisor through the accord de partage).
    shared_to = {
        key[3] for key, response in responses.items() if world.shared[0] in content_of(response)
    }
    assert shared_to == {
        "case_advisor",
        "case_social_worker",
        "delegate_advisor",
        "delegate_social_worker",
        "auditor",  # in the person's export (the DPO)
    }
    # A one-off request (question and answer) reaches its requester and the correspondents of
    # its territory only: not the social worker of the binôme, not another territory's
    # correspondent, not a supervisor or the admin.
    request_seen_by = {
        key[3]
        for key, response in responses.items()
        for token in world.request_content
        if token in content_of(response)
    }
    assert request_seen_by == {"case_advisor", "correspondent_social_worker"}
    audit = " ".join(
        f"{entry.changes} {entry.changes_text} {entry.object_repr} {entry.serialized_data}"
        for entry in LogEntry.objects.all()
    )
    outbox = " ".join(f"{m.subject} {m.body}" for m in crawled.outbox)
    # What waits in (or left) the outbox: e-mails and tasks carry no social content either.
    outbox += " ".join(json.dumps(row.payload) for row in OutboxMessage.objects.all())
    assert OutboxMessage.objects.filter(key__startswith="dpo-request:").exists()
    assert "Not Found" in crawled.logs  # the logs were captured: django.request's 404s
    for token in world.secrets + world.shared + world.request_content:
        assert token not in audit
        assert token not in outbox
        assert token not in crawled.logs


def test_suivi_social_seul_reaches_its_social_worker_only(crawled):
    """Axis 3: the secret of a case followed by a social worker alone (a social note, the
    diagnostic's social details) reaches that social worker only; no advisor, no remplaçant·e of
    the world's binôme, no France Travail supervisor ever sees it."""
    token = crawled.world.objects["solo_secret"]

    seen_by = {
        key[3] for key, response in crawled.responses.items() if token in content_of(response)
    }

    assert seen_by == {"solo_social_worker"}
    # The check can fail: the case page did show it to its social worker.
    assert token in content_of(
        crawled.responses[("case_detail (suivi social seul)", "get", "plain", "solo_social_worker")]
    )
