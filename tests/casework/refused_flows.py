"""What a refused CAF/MSA flow leaves behind: its record (state « refusé », its errors) and one
journal row, and nothing else; shared by the service's and the page's tests."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from casework.enums import FlowImportState, JournalChannel
from casework.imports.reader import FlowError
from casework.models import FlowImport, InformationShare


def writes_but_the_refusal() -> tuple[int, int]:
    """Audit and journal rows, leaving out the refusal's own (its record and its journal row)."""
    return (
        LogEntry.objects.exclude(
            content_type=ContentType.objects.get_for_model(FlowImport)
        ).count(),
        InformationShare.objects.exclude(object_type="flow_import").count(),
    )


def assert_refusal_recorded(errors: list[FlowError], error_count: int, file_name: str) -> None:
    """One import record, refused, with these errors; one journal row that says so."""
    refused = FlowImport.objects.get()
    assert refused.state == FlowImportState.REFUSED
    assert (refused.error_count, refused.updated, refused.matched) == (error_count, 0, 0)
    assert [
        (row["line"], row["path"], row["element"], row["household"], row["message"])
        for row in refused.errors
    ] == [(e.line, e.path, e.element, e.household, e.message) for e in errors]
    share = InformationShare.objects.get(object_type="flow_import")
    assert (share.channel, share.object_id, share.purpose) == (
        JournalChannel.IMPORT,
        str(refused.pk),
        f"Fichier refusé : « {file_name} » — {error_count} erreur(s), rien n'a été importé",
    )
