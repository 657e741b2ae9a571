"""One JSON line per request: request id, user id, method, route, status, duration; no personal
data (no e-mail address, no name, no query string, no IP address)."""

import json
import logging

import pytest
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from tests.conftest import log_in
from tests.partners.factories import ProfessionalFactory

pytestmark = pytest.mark.django_db

KEYS = {"request_id", "user_id", "method", "route", "status", "duration_ms"}


def production_json_formatter() -> logging.Formatter:
    """The ``json`` formatter of the LOGGING setting, as production uses it."""
    config = dict(settings.LOGGING["formatters"]["json"])
    factory = import_string(config.pop("()"))
    return factory(**config)


def request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "binome.requests"]


def test_a_request_writes_one_json_line_without_personal_data(caplog):
    professional = ProfessionalFactory(
        email="claire.dupont@departement.example.fr", first_name="Claire", last_name="Dupont"
    )
    client = log_in(Client(), professional)
    caplog.set_level(logging.INFO, logger="binome.requests")

    response = client.get("/portefeuille/?q=Martin")

    records = request_lines(caplog)
    assert len(records) == 1
    line = production_json_formatter().format(records[0])
    entry = json.loads(line)
    assert entry.keys() >= KEYS
    assert {key: entry[key] for key in KEYS - {"duration_ms"}} == {
        "request_id": response["X-Request-ID"],
        "user_id": professional.pk,
        "method": "GET",
        "route": "/portefeuille/",
        "status": 200,
    }
    assert entry["duration_ms"] >= 0
    for personal in ("claire.dupont", "@", "Claire", "Dupont", "Martin", "127.0.0.1"):
        assert personal not in line


def test_the_route_pattern_is_logged_not_the_ids(caplog):
    caplog.set_level(logging.INFO, logger="binome.requests")
    client = log_in(Client(), ProfessionalFactory())

    client.get("/accompagnements/987654/")

    records = request_lines(caplog)
    assert [(r.route, r.status, "987654" in r.getMessage()) for r in records] == [  # type: ignore[attr-defined]
        ("/accompagnements/<int:pk>/", 404, False)
    ]


def test_health_probes_write_no_request_line(caplog):
    caplog.set_level(logging.INFO, logger="binome.requests")

    Client().get("/sante/vivant")

    assert request_lines(caplog) == []
