"""make loadtest's scenario (bench/loadtest): its mix of roles, and each simulated user once
against a live server, without the load (the load test itself is not run in CI)."""

import ast
import json
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice
from time_machine import escape_hatch

from casework import scale
from casework.models import Interview
from partners import selectors
from partners.enums import Role
from partners.models import Pair, Professional
from tests.world import build_world

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "bench" / "loadtest" / "locustfile.py"


def test_the_mix_is_80_pair_members_15_supervisors_5_auditors():
    # Read, not imported: importing locust patches the standard library with gevent.
    tree = ast.parse(LOCUSTFILE.read_text())
    weights = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "WEIGHTS"
    )
    classes = {
        node.name: [
            ast.unparse(item.value)
            for item in node.body
            if isinstance(item, ast.Assign) and getattr(item.targets[0], "id", "") == "weight"
        ]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }
    assert weights == {"pair": 80, "supervisor": 15, "auditor": 5}
    assert classes["PairMember"] == ["WEIGHTS['pair']"]
    assert classes["Supervisor"] == ["WEIGHTS['supervisor']"]
    assert classes["Auditor"] == ["WEIGHTS['auditor']"]


@pytest.mark.django_db(transaction=True)
def test_each_simulated_user_logs_in_and_runs_its_tasks(live_server, tmp_path):
    world = build_world()
    people = world.professionals
    users = {
        "pair": people["case_advisor"],
        "supervisor": people["supervisor_subtree"],
        "auditor": people["auditor"],
    }
    for user in users.values():
        user.set_password("essai-de-charge")
        user.save(update_fields=["password"])
    device = TOTPDevice.objects.create(user=users["auditor"], name="Essai", confirmed=True)
    accounts = tmp_path / "accounts.json"
    accounts.write_text(
        json.dumps(
            {
                **{role: [user.email] for role, user in users.items()},
                "password": "essai-de-charge",
                "auditor_totp_key": device.key,
            }
        )
    )
    # the server's clock is the suite's (tests/conftest.py): the codes are computed on it
    clock_offset = time.time() - escape_hatch.time.time()
    interviews = Interview.objects.filter(author=users["pair"]).count()

    def smoke() -> dict[str, list[str]]:
        run = subprocess.run(  # noqa: S603 — our own module, no shell
            [sys.executable, "-m", "bench.loadtest.smoke", live_server.url],
            cwd=ROOT,
            env={
                "LOADTEST_ACCOUNTS": str(accounts),
                "LOADTEST_CLOCK_OFFSET": str(clock_offset),
                "PATH": "/usr/bin:/bin",
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        return dict(json.loads(run.stdout.splitlines()[-1]))

    report = smoke()
    # a next step (locust's next process) takes up the auditor's session: no second factor again
    next_step = smoke()

    assert report["failures"] == next_step["failures"] == []
    assert set(report["requests"]) == {
        "GET connexion",
        "POST connexion",
        "GET portefeuille",
        "GET accompagnement",
        "POST entretien (htmx)",
        "GET tableau de bord",
        "GET double authentification",
        "POST double authentification",
        "GET journal (recherche)",
        "POST journal (recherche par nom)",
    }
    assert [r for r in next_step["requests"] if "double" in r or "reprise" in r] == [
        "GET reprise de session"
    ]
    # the htmx POST of the case page logged the interview, by the advisor who was logged in
    assert Interview.objects.filter(author=users["pair"]).count() == interviews + 2


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_load_tests_pair_members_are_one_per_binome_advisors_and_social_workers(tmp_path):
    from bench.loadtest.__main__ import prepare_accounts

    call_command("seed_scale", people=500, stdout=StringIO())

    emails = json.loads(prepare_accounts(tmp_path).read_text())["pair"]

    members = Professional.objects.filter(email__in=emails)
    pairs = [
        pair
        for member in members
        for pair in Pair.objects.filter(Q(advisor=member) | Q(social_worker=member))
    ]
    assert len(members) == len(emails) == len(pairs) > 1
    assert len({pair.pk for pair in pairs}) == len(pairs)  # no binôme twice: no case shared
    assert {member.role for member in members} == {Role.ADVISOR, Role.SOCIAL_WORKER}


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_load_test_gives_its_auditor_the_key_of_the_device_the_code_page_checks(tmp_path):
    from bench.loadtest.__main__ import prepare_accounts

    call_command("seed_scale", people=100, stdout=StringIO())
    auditor = Professional.objects.get(
        organisation__department=scale.scale_department(), role=Role.AUDITOR
    )
    # as make bench leaves it (bench.__main__.auditor_client): a device of the auditor already
    checked = TOTPDevice.objects.create(user=auditor, name="Banc d'essai", confirmed=True)

    accounts = json.loads(prepare_accounts(tmp_path).read_text())

    assert accounts["auditor_totp_key"] == checked.key
    assert selectors.second_factor_device(auditor) == checked
    assert TOTPDevice.objects.filter(user=auditor).count() == 1
