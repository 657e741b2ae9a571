"""Published journal heads: what each department's chain looked like at a given moment.

``publish`` signs each department's head (seq, hash, time of that row) with an Ed25519 key kept
outside the database, appends one JSON line per department to a file and sends it through the
outbox to the department's DPO (``manage.py audit_publish_heads``, a beat task every night).
``read_signed`` reads such a file back and refuses it whole if one line's signature does not hold.
``current`` reads the heads unsigned (``manage.py journal_heads``, the restore drill's default).

``verify_published`` tells whether the database (the live one for ``audit_verify --heads``, a
restored copy in the restore drill) still carries every published head: the row at the published
``seq`` has the published hash. A chain that stops short of a published head, or forks from it,
fails, naming the department and the missing rows.
"""

import base64
import binascii
import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from casework.models import GENESIS_HASH, DetachedJournalMonth, InformationShare, LedgerHead
from partners import outbox
from partners.models import Department
from partners.selectors import dpo_addresses


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


def current() -> dict[str, Head]:
    """Every department's head, by department code (a department with no row: seq 0)."""
    heads = {head.department_id: Head(head.seq, head.hash) for head in LedgerHead.objects.all()}
    return {
        code: heads.get(pk, Head(0, GENESIS_HASH))
        for pk, code in Department.objects.order_by("code").values_list("pk", "code")
    }


def dumps(heads: dict[str, Head]) -> str:
    return json.dumps(
        {
            "published_at": timezone.now().isoformat(timespec="seconds"),
            "heads": {code: {"seq": h.seq, "hash": h.hash} for code, h in heads.items()},
        },
        indent=2,
        ensure_ascii=False,
    )


def loads(text: str) -> dict[str, Head]:
    """The heads of a JSON text written by ``dumps``; ValueError in French when it is not one."""
    try:
        data: Any = json.loads(text)
        return {
            str(code): Head(int(head["seq"]), str(head["hash"]))
            for code, head in data["heads"].items()
        }
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            "fichier de têtes publiées illisible (attendu : la sortie de journal_heads)"
        ) from error


# Signed heads ------------------------------------------------------------------------------------

#: The fields of a published line that the signature covers (all but the signature).
SIGNED_FIELDS = ("department", "seq", "hash", "at", "published_at", "key")


class HeadsKeyMissing(ValueError):
    """The signing or the public key is not configured or cannot be read (French message)."""


class PublishedHeadsRefused(ValueError):
    """A published-heads file that cannot be trusted: unreadable, or a signature that fails."""


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def signing_key() -> Ed25519PrivateKey:
    path = settings.BINOME_HEADS_SIGNING_KEY_FILE
    if not path:
        raise HeadsKeyMissing(
            "aucune clé de signature des têtes : définissez BINOME_HEADS_SIGNING_KEY_FILE "
            "(docs/deployment.md)."
        )
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise HeadsKeyMissing(f"clé de signature des têtes illisible ({path}) : {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise HeadsKeyMissing(f"la clé de signature des têtes ({path}) n'est pas une clé Ed25519.")
    return key


def public_key() -> Ed25519PublicKey:
    """BINOME_HEADS_PUBLIC_KEY_FILE, or else the public half of the signing key."""
    path = settings.BINOME_HEADS_PUBLIC_KEY_FILE
    if not path:
        if settings.BINOME_HEADS_SIGNING_KEY_FILE:
            return signing_key().public_key()
        raise HeadsKeyMissing(
            "aucune clé pour vérifier les têtes publiées : définissez "
            "BINOME_HEADS_PUBLIC_KEY_FILE (docs/deployment.md)."
        )
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError, TypeError) as error:
        raise HeadsKeyMissing(f"clé publique des têtes illisible ({path}) : {error}") from error
    if not isinstance(key, Ed25519PublicKey):
        raise HeadsKeyMissing(f"la clé publique des têtes ({path}) n'est pas une clé Ed25519.")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    """A short name of the key, written in each line so that a change of key shows."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def _signed_text(line: dict[str, Any]) -> bytes:
    data = {field: line[field] for field in SIGNED_FIELDS}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(
    *,
    department_code: str,
    head: Head,
    at: datetime.datetime | None,
    published_at: datetime.datetime,
    key: Ed25519PrivateKey,
) -> str:
    """One published line: the head, the time of its row ("" for an empty chain), when it was
    published, the key's name, and the Ed25519 signature of all that (base64)."""
    line: dict[str, Any] = {
        "department": department_code,
        "seq": head.seq,
        "hash": head.hash,
        "at": _utc(at) if at is not None else "",
        "published_at": _utc(published_at),
        "key": key_id(key.public_key()),
    }
    line["signature"] = base64.b64encode(key.sign(_signed_text(line))).decode()
    return json.dumps(line, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def is_signed(text: str) -> bool:
    """Whether ``text`` is a file of signed lines (else: the JSON of ``journal_heads``)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        data = json.loads(first)
    except ValueError:
        return False
    return isinstance(data, dict) and "signature" in data


def read_signed(text: str, key: Ed25519PublicKey) -> list[tuple[str, Head]]:
    """The heads of a file of signed lines, in file order; the whole file is refused
    (PublishedHeadsRefused, in French) when one line is unreadable or its signature fails."""
    expected_key, heads = key_id(key), []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line: Any = json.loads(raw)
            code, seq, hash_ = str(line["department"]), int(line["seq"]), str(line["hash"])
            signature = base64.b64decode(line["signature"], validate=True)
            signed = _signed_text(line)
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise PublishedHeadsRefused(
                f"ligne {number} illisible (attendu : une ligne écrite par audit_publish_heads) ; "
                "fichier refusé."
            ) from error
        if line["key"] != expected_key:
            raise PublishedHeadsRefused(
                f"ligne {number} (département {code}, ligne n°{seq}) : signée par une autre clé "
                f"({line['key']}) que la clé configurée ({expected_key}) ; fichier refusé."
            )
        try:
            key.verify(signature, signed)
        except InvalidSignature:
            raise PublishedHeadsRefused(
                f"ligne {number} (département {code}, ligne n°{seq}) : signature invalide, tête "
                "falsifiée ou modifiée après sa publication ; fichier refusé, rien n'est vérifié."
            ) from None
        heads.append((code, Head(seq, hash_)))
    if not heads:
        raise PublishedHeadsRefused("aucune tête publiée dans ce fichier ; fichier refusé.")
    return heads


@dataclass(frozen=True)
class Published:
    department_code: str
    head: Head
    line: str
    recipients: list[str]


def publish(*, path: Path) -> list[Published]:
    """Sign every department's head, append the lines to ``path`` and send each line to its
    department's DPO through the outbox, in one transaction: the e-mails leave only if the file
    was written. Idempotent per day and head: a rerun writes new lines, no second e-mail."""
    key = signing_key()
    published_at = timezone.now()
    with transaction.atomic():
        heads = _heads_with_times()
        results = []
        for department_id, code, head, at in heads:
            line = sign(department_code=code, head=head, at=at, published_at=published_at, key=key)
            recipients = dpo_addresses(department_id)
            if recipients:
                day = timezone.localdate(published_at).isoformat()
                outbox.enqueue_email(
                    key=f"journal-heads:{department_id}:{day}:{head.seq}",
                    to=recipients,
                    subject=f"Binôme : tête du journal du département {code} ({day})",
                    body=_email_body(code, head, at, line),
                    department=department_id,
                )
            results.append(Published(code, head, line, recipients))
        with path.open("a", encoding="utf-8") as file:
            file.writelines(f"{result.line}\n" for result in results)
    return results


def _heads_with_times() -> list[tuple[int, str, Head, datetime.datetime | None]]:
    """(department id, code, head, time of the head's row) for every department, by code."""
    row_time = InformationShare.objects.filter(
        department=OuterRef("department"), seq=OuterRef("seq")
    ).values("at")[:1]
    heads = {
        department_id: (Head(seq, hash_), at)
        for department_id, seq, hash_, at in LedgerHead.objects.annotate(
            at=Subquery(row_time)
        ).values_list("department_id", "seq", "hash", "at")
    }
    return [
        (pk, code, *heads.get(pk, (Head(0, GENESIS_HASH), None)))
        for pk, code in Department.objects.order_by("code").values_list("pk", "code")
    ]


def _email_body(code: str, head: Head, at: datetime.datetime | None, line: str) -> str:
    when = f", écrite le {_utc(at)} (UTC)" if at is not None else " (journal vide)"
    return (
        "Bonjour,\n\n"
        f"Voici la tête de la chaîne du journal des accès et des partages du département {code}, "
        "signée par Binôme. Gardez ce message tel quel, hors de portée des administrateurs de "
        "la base : il permet de vérifier plus tard que le journal n'a été ni raccourci ni "
        "réécrit (audit_verify --heads).\n\n"
        f"Dernière ligne : n°{head.seq}{when}\n"
        f"Empreinte : {head.hash}\n\n"
        "Ligne signée, à ajouter au fichier des têtes publiées :\n"
        f"{line}\n"
    )


# Comparing a database with published heads ------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    department_code: str
    published: Head
    found: Head | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    def describe(self) -> str:
        code, published, found = self.department_code, self.published, self.found
        if self.problem or found is None:
            return f"Département {code} : {self.problem}"
        if found == published:
            return f"Département {code} : tête identique à la tête publiée (ligne n°{found.seq})."
        return (
            f"Département {code} : la chaîne prolonge la tête publiée (ligne n°{published.seq}) "
            f"de {found.seq - published.seq} ligne(s), jusqu'à la ligne n°{found.seq}."
        )


def compare(published: dict[str, Head]) -> list[Comparison]:
    return verify_published(published.items())


def verify_published(published: Iterable[tuple[str, Head]]) -> list[Comparison]:
    """For each department of ``published`` (by code): one comparison with its latest published
    head when the database carries every one of its published heads; else one per problem (the
    chain ends before the latest head; the first published head it forks from)."""
    by_department: dict[str, list[Head]] = {}
    for code, head in published:
        by_department.setdefault(code, []).append(head)
    found_heads = current()
    results = []
    for code, heads in sorted(by_department.items()):
        results.extend(_check_department(code, heads, found_heads.get(code)))
    return results


def _check_department(code: str, heads: list[Head], found: Head | None) -> list[Comparison]:
    latest = max(heads, key=lambda head: head.seq)
    if found is None:
        return [Comparison(code, latest, None, "département absent de cette base.")]
    rows = InformationShare.objects.filter(department__code=code)
    hashes = dict(rows.filter(seq__in={head.seq for head in heads}).values_list("seq", "hash"))
    # Months detached for retention: their rows left the journal, their chains' ends stayed.
    detached = dict(
        DetachedJournalMonth.objects.filter(department__code=code).values_list(
            "last_seq", "last_hash"
        )
    )
    hashes.update(detached)
    detached_upto = max(detached, default=0)
    last = max(rows.aggregate(last=Max("seq"))["last"] or 0, detached_upto)
    problems = []
    if latest.seq > last:
        lost = latest.seq - last
        numbers = f"n°{latest.seq}" if lost == 1 else f"n°{last + 1} à n°{latest.seq}"
        problems.append(
            Comparison(
                code,
                latest,
                found,
                f"la chaîne s'arrête à la ligne n°{last}, avant la tête publiée "
                f"(ligne n°{latest.seq}) : {lost} ligne(s) perdue(s) ({numbers}).",
            )
        )
    for head in sorted(heads, key=lambda head: head.seq):
        if head.seq < detached_upto and head.seq not in hashes:
            continue  # a row of a detached month: the archive holds it
        if head.seq == 0 or head.seq > last or hashes.get(head.seq) == head.hash:
            continue
        problem = (
            f"la ligne n°{head.seq} ne porte pas l'empreinte publiée ({head.hash[:12]}…) : "
            "chaîne divergente."
            if head.seq in hashes
            else f"la ligne n°{head.seq}, publiée, manque au journal (ligne supprimée)."
        )
        problems.append(Comparison(code, head, found, problem))
        break
    return problems or [Comparison(code, latest, found)]
