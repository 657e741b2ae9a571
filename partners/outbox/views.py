"""« Envois en échec »: the department administrators' page on the outbox, and « Renvoyer »."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from partners import access, outbox
from partners.errors import DomainError
from partners.models import Professional
from partners.outbox.models import OutboxKind, OutboxMessage, OutboxState
from partners.pagination import paginate


def _admin_of_department(request: HttpRequest) -> tuple[Professional, int]:
    """The functional administrator and their department (the same 404 for everyone else)."""
    user = access.professional(request)
    organisation = user.organisation
    access.require(access.is_admin(user) and organisation is not None)
    return user, organisation.department_id if organisation is not None else 0


def mask_address(address: str) -> str:
    """« c***@exemple.fr »: enough to recognise a colleague, not to copy an address."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}***{at}{domain}" if at else "***"


def describe(message: OutboxMessage) -> dict[str, object]:
    """What the page shows of a row: masked recipients and the subject (or the task's name)."""
    payload = message.payload
    if message.kind == OutboxKind.EMAIL:
        recipients = ", ".join(mask_address(address) for address in payload.get("to", []))
        subject = payload.get("subject", "")
    elif message.kind == OutboxKind.SMS:
        recipients, subject = f"{str(payload.get('to', ''))[:-6]}******", "SMS"
    elif message.kind == OutboxKind.WEBHOOK:
        body = payload.get("body") or {}
        recipients = payload.get("partner_name", "")
        subject = (
            f"Notification {body.get('type', '')} (accompagnement n°"
            + str((body.get("data") or {}).get("case_id", ""))
            + ")"
        )
    else:
        recipients, subject = "—", f"Tâche {payload.get('task', '')}"
    return {"message": message, "recipients": recipients, "subject": subject}


@login_required
def failed_list(request: HttpRequest) -> HttpResponse:
    _user, department_id = _admin_of_department(request)
    page = paginate(request, OutboxMessage.objects.failed_of(department_id))
    return render(
        request,
        "partners/outbox_failed.html",
        {
            "page": page,
            "rows": [describe(message) for message in page.object_list],
            "max_attempts": outbox.MAX_ATTEMPTS,
        },
    )


@login_required
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then put a row in échec back in the outbox (a POST with its CSRF token)."""
    user, department_id = _admin_of_department(request)
    message = get_object_or_404(OutboxMessage.objects.filter(department_id=department_id), pk=pk)
    if request.method == "POST":
        try:
            outbox.outbox_resend(message=message, acting_user=user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "L'envoi est de nouveau à envoyer : il part dans la minute.")
        return redirect("outbox_failed")
    if message.state != OutboxState.FAILED:
        messages.info(request, "Cet envoi n'est pas en échec.")
        return redirect("outbox_failed")
    return render(request, "partners/outbox_resend.html", describe(message))
