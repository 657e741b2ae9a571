"""The Python work of the everyday pages, counted in machine instructions (valgrind's callgrind).

    python -m bench.instructions [--requests 10] [--pages portefeuille fiche_accompagnement …]

On the bench's database (seeded by ``make bench``; ``DATABASE_URL``), each page is asked
``--requests`` times by the same test client as ``make bench``, after a warm-up, in a process run
under ``valgrind --tool=callgrind`` whose counting is switched on (``callgrind_control``) for the
measured requests only. What is counted is the web process's own work: middleware, ORM, template
engines, psycopg's client side; not PostgreSQL's (another process), not the time spent waiting for
it. Unlike a time, the count is the same from one run to the next (±0.5 %) whatever else the
shared machine does, so that two versions of the code compare in one run each (issue 26: « the
non-SQL time halved »; docs/performance.md §1). Needs Debian's ``valgrind``.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

#: The pages counted: (name in the bench's table, who asks, URL name, URL args).
PAGES = {
    "portefeuille": ("advisor", "caseload", ()),
    "fiche_accompagnement": ("advisor", "case_detail", ("case",)),
    "tableau_de_bord_departement": ("department_supervisor", "supervision", ()),
    "journal": ("auditor", "journal_search", ()),
}
WARMUP = 5
COLLECTED = re.compile(r"Collected : (\d+)")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--requests", type=int, default=10, help="requêtes comptées par page")
    parser.add_argument("--pages", nargs="+", choices=sorted(PAGES), default=list(PAGES))
    parser.add_argument("--page", help=argparse.SUPPRESS)  # the process under callgrind
    return parser.parse_args()


def count_one(page: str, requests: int) -> int:
    """Run this module under callgrind for ``page``: the instructions of ``requests`` requests."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={Path(folder) / 'callgrind.out'}",
            sys.executable,
            "-m",
            "bench.instructions",
            "--page",
            page,
            "--requests",
            str(requests),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"{page} : échec sous valgrind\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return int(found.group(1))


def ask(page: str, requests: int) -> None:
    """Inside valgrind: warm up, then count ``requests`` requests of ``page``."""
    from bench.__main__ import setup_django

    setup_django()
    from django.test import Client, override_settings
    from django.urls import reverse

    from bench.__main__ import auditor_client, subjects
    from orientation import snapshots

    who: dict[str, Any] = subjects()
    role, url_name, url_args = PAGES[page]
    if page == "tableau_de_bord_departement":
        # as the refresh after writes or the night leaves it (make bench does the same)
        snapshots.refresh(who["advisor"].organisation.department_id)
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        if role == "auditor":  # with the second factor in the session, as make bench
            client = auditor_client(who[role])
        else:
            client = Client()
            client.force_login(who[role])
        url = reverse(url_name, args=[who[name].pk for name in url_args])
        for _ in range(WARMUP):
            if client.get(url).status_code != 200:
                sys.exit(f"{url} : la page ne répond pas 200")
        switch = ["callgrind_control", "--instr", "on", str(os.getpid())]
        subprocess.run(switch, check=True, capture_output=True)  # noqa: S603
        for _ in range(requests):
            client.get(url)
        switch[2] = "off"
        subprocess.run(switch, check=True, capture_output=True)  # noqa: S603


def main() -> None:
    args = parse_args()
    if args.page:
        ask(args.page, args.requests)
        return
    print(f"Instructions par requête ({args.requests} requêtes comptées par page, callgrind)")
    for page in args.pages:
        per_request = count_one(page, args.requests) / args.requests
        print(f"  {page:<30}{per_request / 1e6:>10.1f} millions")


if __name__ == "__main__":
    main()
