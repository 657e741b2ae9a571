"""Two relays, or two reruns, at the same time on PostgreSQL: each row is claimed by one relay
(SKIP LOCKED), and one key makes one row."""

import threading

import pytest
from django.db import connections, transaction

from partners import outbox
from partners.models import OutboxMessage
from partners.outbox import dispatch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(*targets) -> None:  # type: ignore[no-untyped-def]
    def wrapped(target):  # type: ignore[no-untyped-def]
        def run() -> None:
            try:
                target()
            finally:
                connections.close_all()

        return run

    threads = [threading.Thread(target=wrapped(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


def test_two_relays_claim_disjoint_rows():
    for index in range(10):  # written directly: enqueue's fast path would relay them at once
        OutboxMessage.objects.create(
            kind="email", key=f"k:{index}", payload={"to": ["a@x.fr"], "subject": "s", "body": "b"}
        )
    holding, claimed_second = threading.Barrier(2), threading.Barrier(2)
    claims: dict[str, list[str]] = {}

    def first() -> None:
        with transaction.atomic():  # its locks are held until the second relay has claimed
            claims["first"] = [row.key for row in dispatch.claim(limit=5)]
            holding.wait()
            claimed_second.wait()

    def second() -> None:
        holding.wait()
        claims["second"] = [row.key for row in dispatch.claim(limit=100)]
        claimed_second.wait()

    _run(first, second)

    assert (len(claims["first"]), len(claims["second"])) == (5, 5)
    assert sorted(claims["first"] + claims["second"]) == sorted(f"k:{i}" for i in range(10))


def test_concurrent_enqueues_of_one_key_make_one_row():
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def enqueue() -> None:
        barrier.wait()
        with transaction.atomic():
            results.append(
                outbox.enqueue_email(
                    key="digest:1:2028-02-29", to=["a@x.fr"], subject="s", body="b"
                )
            )

    _run(enqueue, enqueue)

    assert sorted(results) == [False, True]
    assert OutboxMessage.objects.filter(key="digest:1:2028-02-29").count() == 1
