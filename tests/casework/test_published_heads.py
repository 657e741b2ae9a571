"""Published journal heads: signed with a key kept outside the database, sent to the DPO, and read
back by ``audit_verify --heads``, which names a chain rewound or rewritten behind them."""

import base64
import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from casework import heads, journal
from casework.enums import JournalChannel
from casework.models import GENESIS_HASH, InformationShare
from casework.tasks import publish_journal_heads
from partners.enums import Role
from partners.models import Department
from partners.outbox.models import OutboxMessage
from tests.casework.test_journal import tamper
from tests.partners.factories import DepartmentFactory, ProfessionalFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def write_keys(folder: Path) -> tuple[Ed25519PrivateKey, Path, Path]:
    """A new Ed25519 key in a file outside the database, and its public key in another."""
    key = Ed25519PrivateKey.generate()
    private, public = folder / "heads-key.pem", folder / "heads-key.pub"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return key, private, public


@pytest.fixture
def signing_key(tmp_path, settings) -> Ed25519PrivateKey:  # type: ignore[no-untyped-def]
    key, private, public = write_keys(tmp_path)
    settings.BINOME_HEADS_SIGNING_KEY_FILE = str(private)
    settings.BINOME_HEADS_PUBLIC_KEY_FILE = str(public)
    return key


def _record(department: Department, count: int) -> list[InformationShare]:
    return [
        journal.record(
            department=department, actor=None, channel=JournalChannel.VIEW, purpose=f"Vue {index}"
        )
        for index in range(count)
    ]


def _run(command: str, *args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command(command, *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_publish_appends_signed_heads_and_sends_each_to_the_dpo(signing_key, tmp_path, today):
    cote_dor, yonne = DepartmentFactory(code="21"), DepartmentFactory(code="89")
    dpo = ProfessionalFactory(
        role=Role.AUDITOR, organisation__department=cote_dor, email="dpo@cd21.test"
    )
    ProfessionalFactory(role=Role.AUDITOR, organisation__department=cote_dor, is_active=False)
    ProfessionalFactory(role=Role.AUDITOR, organisation__department=yonne, email="dpo@cd89.test")
    rows = _record(cote_dor, 3)  # after the accounts' creations and deactivation (rows 1 to 3)
    yonne_head = InformationShare.objects.get(department=yonne)  # its DPO's account creation
    path = tmp_path / "heads.jsonl"
    before = datetime.datetime.now(datetime.UTC)

    code, output = _run("audit_publish_heads", str(path))

    lines = _lines(path)
    assert code == 0
    assert output == (
        f"Département 21 : ligne n°6 ({rows[2].hash[:12]}…), envoyée au ou à la DPO "
        "(1 adresse(s)).\n"
        f"Département 89 : ligne n°1 ({yonne_head.hash[:12]}…), envoyée au ou à la DPO "
        "(1 adresse(s)).\n"
        f"2 tête(s) signée(s) ajoutée(s) à {path}.\n"
    )
    key_id = heads.key_id(signing_key.public_key())
    assert [
        {k: v for k, v in line.items() if k not in ("published_at", "signature")} for line in lines
    ] == [
        {"department": "21", "seq": 6, "hash": rows[2].hash, "at": _utc(rows[2].at), "key": key_id},
        {
            "department": "89",
            "seq": 1,
            "hash": yonne_head.hash,
            "at": _utc(yonne_head.at),
            "key": key_id,
        },
    ]
    published_at = datetime.datetime.fromisoformat(str(lines[0]["published_at"]))
    assert before <= published_at <= datetime.datetime.now(datetime.UTC)
    for line in lines:  # each signature holds with the public key alone
        signed = {k: v for k, v in line.items() if k != "signature"}
        signing_key.public_key().verify(
            base64.b64decode(str(line["signature"])),
            json.dumps(signed, sort_keys=True, separators=(",", ":")).encode(),
        )
    messages = list(OutboxMessage.objects.order_by("key").values_list("key", "payload"))
    assert [(key, payload["to"], payload["subject"]) for key, payload in messages] == [
        (
            f"journal-heads:{cote_dor.pk}:{today.isoformat()}:6",
            [dpo.email],
            f"Binôme : tête du journal du département 21 ({today.isoformat()})",
        ),
        (
            f"journal-heads:{yonne.pk}:{today.isoformat()}:1",
            ["dpo@cd89.test"],
            f"Binôme : tête du journal du département 89 ({today.isoformat()})",
        ),
    ]
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert messages[0][1]["body"].endswith(
        f"Dernière ligne : n°6, écrite le {_utc(rows[2].at)} (UTC)\n"
        f"Empreinte : {rows[2].hash}\n\n"
        f"Ligne signée, à ajouter au fichier des têtes publiées :\n{first_line}\n"
    )

    code, _output = _run("audit_publish_heads", str(path))  # the same day, the same heads

    assert (code, len(_lines(path)), OutboxMessage.objects.count()) == (0, 4, 2)


def test_publish_without_a_key_or_a_file_is_refused_in_french(settings, tmp_path):
    settings.BINOME_HEADS_SIGNING_KEY_FILE = ""
    path = tmp_path / "heads.jsonl"

    with refused(
        CommandError,
        "Publication des têtes impossible : aucune clé de signature des têtes : définissez "
        "BINOME_HEADS_SIGNING_KEY_FILE (docs/deployment.md).",
    ):
        call_command("audit_publish_heads", str(path))
    settings.BINOME_HEADS_FILE = ""
    with refused(
        CommandError, "Indiquez le fichier des têtes publiées (argument ou BINOME_HEADS_FILE)."
    ):
        call_command("audit_publish_heads")

    assert (path.exists(), OutboxMessage.objects.count()) == (False, 0)


def test_beat_task_publishes_daily_to_the_configured_file(signing_key, settings, tmp_path):
    department = DepartmentFactory(code="21")
    rows = _record(department, 2)
    settings.BINOME_HEADS_FILE = str(tmp_path / "heads.jsonl")

    result = publish_journal_heads.delay().get()

    assert result == {"21": 2}
    assert [(line["department"], line["hash"]) for line in _lines(tmp_path / "heads.jsonl")] == [
        ("21", rows[1].hash)
    ]
    assert django_settings.CELERY_BEAT_SCHEDULE["publish-journal-heads"]["task"] == (
        "casework.tasks.publish_journal_heads"
    )
    settings.BINOME_HEADS_FILE = ""
    with refused(
        ImproperlyConfigured,
        "BINOME_HEADS_FILE n'est pas défini : les têtes du journal ne sont pas publiées.",
    ):
        publish_journal_heads()


def test_audit_verify_heads_accepts_a_chain_that_extends_every_published_head(
    signing_key, tmp_path
):
    department = DepartmentFactory(code="21")
    path = tmp_path / "heads.jsonl"
    _record(department, 2)
    call_command("audit_publish_heads", str(path), stdout=StringIO())
    _record(department, 3)
    call_command("audit_publish_heads", str(path), stdout=StringIO())
    _record(department, 1)

    code, output = _run("audit_verify", "--heads", str(path))

    assert (code, output) == (
        0,
        "Département 21 : 6 lignes, intact.\n6 lignes vérifiées.\n"
        "Département 21 : la chaîne prolonge la tête publiée (ligne n°5) de 1 ligne(s), "
        "jusqu'à la ligne n°6.\n2 tête(s) publiée(s) comparée(s).\n",
    )


def test_audit_verify_refuses_a_forged_head(signing_key, tmp_path):
    department = DepartmentFactory(code="21")
    rows = _record(department, 3)
    path = tmp_path / "heads.jsonl"
    call_command("audit_publish_heads", str(path), stdout=StringIO())
    genuine = _lines(path)[0]

    # The head moved back to row 2 (as someone who rewound the journal would want it), signature
    # kept: it no longer holds.
    path.write_text(
        json.dumps({**genuine, "seq": 2, "hash": rows[1].hash}) + "\n", encoding="utf-8"
    )
    with refused(
        CommandError,
        f"Têtes publiées ({path}) : ligne 1 (département 21, ligne n°2) : signature invalide, "
        "tête falsifiée ou modifiée après sa publication ; fichier refusé, rien n'est vérifié.",
    ):
        call_command("audit_verify", "--heads", str(path), stdout=StringIO())

    # Signed with another key that claims the configured key's name.
    forger = Ed25519PrivateKey.generate()
    line = heads.sign(
        department_code="21",
        head=heads.Head(2, rows[1].hash),
        at=rows[1].at,
        published_at=rows[2].at,
        key=forger,
    )
    forged = {**json.loads(line), "key": genuine["key"]}
    path.write_text(json.dumps(genuine) + "\n" + json.dumps(forged) + "\n", encoding="utf-8")
    with refused(
        CommandError,
        f"Têtes publiées ({path}) : ligne 2 (département 21, ligne n°2) : signature invalide, "
        "tête falsifiée ou modifiée après sa publication ; fichier refusé, rien n'est vérifié.",
    ):
        call_command("audit_verify", "--heads", str(path), stdout=StringIO())

    # Signed with another key, under its own name.
    path.write_text(line + "\n", encoding="utf-8")
    with refused(
        CommandError,
        f"Têtes publiées ({path}) : ligne 1 (département 21, ligne n°2) : signée par une autre "
        f"clé ({heads.key_id(forger.public_key())}) que la clé configurée ({genuine['key']}) ; "
        "fichier refusé.",
    ):
        call_command("audit_verify", "--heads", str(path), stdout=StringIO())

    # Not a file of published heads at all.
    path.write_text('{"heads": {"21": {"seq": 2}}}\n', encoding="utf-8")
    with refused(
        CommandError,
        f"Têtes publiées ({path}) : ligne 1 illisible (attendu : une ligne écrite par "
        "audit_publish_heads) ; fichier refusé.",
    ):
        call_command("audit_verify", "--heads", str(path), stdout=StringIO())


def test_audit_verify_heads_checks_with_the_public_key_alone(signing_key, settings, tmp_path):
    department = DepartmentFactory(code="21")
    _record(department, 1)
    path = tmp_path / "heads.jsonl"
    call_command("audit_publish_heads", str(path), stdout=StringIO())
    settings.BINOME_HEADS_SIGNING_KEY_FILE = ""  # the verifier never holds the private key

    assert _run("audit_verify", "--heads", str(path))[0] == 0
    settings.BINOME_HEADS_PUBLIC_KEY_FILE = ""
    with refused(
        CommandError,
        f"Têtes publiées ({path}) : aucune clé pour vérifier les têtes publiées : définissez "
        "BINOME_HEADS_PUBLIC_KEY_FILE (docs/deployment.md).",
    ):
        call_command("audit_verify", "--heads", str(path), stdout=StringIO())


# On PostgreSQL, as the database owner would: the row trigger off, rows removed or rewritten, the
# chain's head moved to match, so that the chain alone looks intact.


def _move_head(department: Department, seq: int, hash_: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE casework_ledgerhead SET seq = %s, hash = %s WHERE department_id = %s",
            [seq, hash_, department.pk],
        )


@pytest.mark.postgres
def test_audit_verify_heads_names_the_rows_deleted_at_the_end(signing_key, tmp_path):
    department, other = DepartmentFactory(code="21"), DepartmentFactory(code="89")
    rows = _record(department, 5)
    _record(other, 2)
    path = tmp_path / "heads.jsonl"
    call_command("audit_publish_heads", str(path), stdout=StringIO())

    tamper("DELETE FROM casework_informationshare WHERE id = %s", [rows[4].pk])
    _move_head(department, 4, rows[3].hash)

    assert _run("audit_verify") == (
        0,
        "Département 21 : 4 lignes, intact.\nDépartement 89 : 2 lignes, intact.\n"
        "6 lignes vérifiées.\n",
    )
    assert _run("audit_verify", "--heads", str(path)) == (
        1,
        "Département 21 : 4 lignes, intact.\nDépartement 89 : 2 lignes, intact.\n"
        "6 lignes vérifiées.\n"
        "Département 21 : la chaîne s'arrête à la ligne n°4, avant la tête publiée "
        "(ligne n°5) : 1 ligne(s) perdue(s) (n°5).\n"
        "Département 89 : tête identique à la tête publiée (ligne n°2).\n"
        "2 tête(s) publiée(s) comparée(s).\n",
    )


@pytest.mark.postgres
def test_audit_verify_heads_names_a_journal_emptied_and_its_head_reset(signing_key, tmp_path):
    department = DepartmentFactory(code="21")
    _record(department, 5)
    path = tmp_path / "heads.jsonl"
    call_command("audit_publish_heads", str(path), stdout=StringIO())

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks
        # The owner with the triggers off: the journal's, and its partitions' (PostgreSQL does
        # not clone a TRUNCATE trigger to partitions; each has its own).
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("TRUNCATE casework_informationshare")
        cursor.execute("SET LOCAL session_replication_role = origin")
    _move_head(department, 0, GENESIS_HASH)

    assert _run("audit_verify") == (0, "Département 21 : 0 lignes, intact.\n0 lignes vérifiées.\n")
    code, output = _run("audit_verify", "--heads", str(path))
    assert (code, output.splitlines()[2:]) == (
        1,
        [
            "Département 21 : la chaîne s'arrête à la ligne n°0, avant la tête publiée "
            "(ligne n°5) : 5 ligne(s) perdue(s) (n°1 à n°5).",
            "1 tête(s) publiée(s) comparée(s).",
        ],
    )


@pytest.mark.postgres
def test_audit_verify_heads_names_a_chain_rewritten_after_publication(signing_key, tmp_path):
    department = DepartmentFactory(code="21")
    rows = _record(department, 5)
    path = tmp_path / "heads.jsonl"
    call_command("audit_publish_heads", str(path), stdout=StringIO())

    # Row 3 rewritten, then rows 3 to 5 chained again: the chain alone is intact.
    tamper("UPDATE casework_informationshare SET channel = 'export' WHERE id = %s", [rows[2].pk])
    prev_hash = rows[1].hash
    for row in (
        InformationShare.objects.filter(department=department, seq__gte=3)
        .order_by("seq")
        .values("id", *journal.HASHED_FIELDS)
    ):
        row["prev_hash"] = prev_hash
        prev_hash = journal.row_hash(row)
        tamper(
            "UPDATE casework_informationshare SET prev_hash = %s, hash = %s WHERE id = %s",
            [row["prev_hash"], prev_hash, row["id"]],
        )
    _move_head(department, 5, prev_hash)

    assert _run("audit_verify")[0] == 0
    code, output = _run("audit_verify", "--heads", str(path))
    assert (code, output.splitlines()[2:]) == (
        1,
        [
            f"Département 21 : la ligne n°5 ne porte pas l'empreinte publiée "
            f"({rows[4].hash[:12]}…) : chaîne divergente.",
            "1 tête(s) publiée(s) comparée(s).",
        ],
    )
