"""Secret tokens (SECRET-<uuid>) appear only where DESIGN.md allows them.

The factories write a canary token into every secret field (social notes today). The crawl of the
access matrix requests every URL as every viewer; the token may appear only in responses to the
social worker of the case, and never in e-mails, audit rows or logs.
"""

import io
import logging
import zipfile

import pytest
from auditlog.models import LogEntry
from django.core import mail

from casework.models import InformationShare
from tests.test_access_matrix import crawl
from tests.world import build_world

pytestmark = pytest.mark.django_db

#: The social worker of the case and their remplaçant·e in force (never the expired one).
ALLOWED_VIEWERS = {"case_social_worker", "delegate_social_worker"}
#: The person's full export is everything about them, secret included, for the person: the DPO
#: produces it (downloaded, never displayed, journaled).
ALLOWED_RESPONSES = {("person_export", "auditor")}


def content_of(response) -> str:
    """The text of a response, the members of a ZIP attachment included."""
    if response.get("Content-Type") == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return " ".join(archive.read(name).decode() for name in archive.namelist())
    return response.content.decode(errors="replace")


def test_secret_tokens_only_where_allowed(caplog):
    caplog.set_level(logging.DEBUG)
    world = build_world()

    responses = crawl(world)

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
    outbox = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    for token in world.secrets + world.shared + world.request_content:
        assert token not in audit
        assert token not in outbox
        assert token not in caplog.text
