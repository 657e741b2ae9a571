"""The bench's throughput over HTTP (bench/over_http.py), against the test's live server."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bench.over_http import _throughput
from casework.models import Case
from tests.world import build_world


def on_127_0_0_1(live_server, path: str) -> str:
    """The live server's address as the bench asks it (its client's cookies are for 127.0.0.1)."""
    return live_server.url.replace("localhost", "127.0.0.1") + path


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


@pytest.mark.django_db(transaction=True)
def test_throughput_counts_the_pages_served_to_clients_asking_at_once(live_server):
    world = build_world()
    advisor = world.professionals["case_advisor"]
    url = on_127_0_0_1(live_server, reverse("caseload"))

    result = _throughput(url, session_of(advisor), concurrency=2, seconds=0.5, warmup=1)

    assert result["concurrence"] == 2
    assert result["erreurs"] == 0
    assert result["reponses"] >= 2
    # every answer counted, over the time until the last client stopped (≥ the 0.5 s asked)
    assert 0 < result["requetes_par_seconde"] <= result["reponses"] / 0.5
    assert 0 < result["median_ms"] <= result["p95_ms"]
    assert Case.objects.visible_to(advisor).exists()  # the portefeuille had cases to list


@pytest.mark.django_db(transaction=True)
def test_throughput_refuses_a_measure_of_pages_that_were_not_served(live_server):
    build_world()
    url = on_127_0_0_1(live_server, reverse("caseload"))

    # without a session the portefeuille sends to the login page: no page served, no figure
    with pytest.raises(RuntimeError, match="aucune réponse 200.*'302'"):
        _throughput(url, "pas-une-session", concurrency=2, seconds=0.3, warmup=0)
