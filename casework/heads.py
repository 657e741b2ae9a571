"""Published journal heads: what each department's chain looked like at a given moment.

``current`` reads them (``manage.py journal_heads`` prints them as JSON, to be published every
day somewhere the database administrators cannot write, docs/audit.md); ``compare`` tells whether a
database (a restored copy, in the restore drill) still carries each published head: the same
head, or a chain that extends it (the row at the published ``seq`` has the published hash).
A chain that stops short of a published head, or forks from it, fails.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from casework.models import GENESIS_HASH, InformationShare, LedgerHead
from partners.models import Department


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
    found_heads = current()
    results = []
    for code, head in sorted(published.items()):
        found = found_heads.get(code)
        results.append(Comparison(code, head, found, _problem(code, head, found)))
    return results


def _problem(code: str, published: Head, found: Head | None) -> str:
    if found is None:
        return "département absent de la base restaurée."
    if found == published:
        return ""
    if found.seq < published.seq:
        return (
            f"la chaîne s'arrête à la ligne n°{found.seq}, avant la tête publiée "
            f"(ligne n°{published.seq}) : {published.seq - found.seq} ligne(s) perdue(s)."
        )
    if published == Head(0, GENESIS_HASH):
        return ""
    row_hash = (
        InformationShare.objects.filter(department__code=code, seq=published.seq)
        .values_list("hash", flat=True)
        .first()
    )
    if row_hash != published.hash:
        return (
            f"la ligne n°{published.seq} ne porte pas l'empreinte publiée "
            f"({published.hash[:12]}…) : chaîne divergente."
        )
    return ""
