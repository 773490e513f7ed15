"""Background work of the reflection app (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def notify_note(note_id: int) -> bool:
    """E-mail the recipient that a note is waiting; False if it was withheld or is gone."""
    from .models import Note
    from .services import send_note_email

    note = (
        Note.objects.select_related("sender", "recipient", "recipient__organisation")
        .filter(pk=note_id)
        .first()
    )
    if note is None or note.withheld or not note.recipient.is_active:
        return False
    return send_note_email(note)


@task(queue_name="default")
def build_export(export_id: int) -> bool:
    """Gather everything the person wrote into an encrypted, expiring download."""
    from .models import DataExport
    from .services import build_export as build

    export = (
        DataExport.objects.select_related("person", "person__organisation")
        .filter(pk=export_id)
        .first()
    )
    if export is None or export.status == DataExport.Status.READY:
        return False  # gone, or built by an earlier run that died before it could say so
    build(export)
    return True
