"""The person's plan d'action: every action, and their own marked done (or not yet), with a
short comment for the binôme."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from casework.journal import RequestInfo
from casework.space import selectors as space_selectors
from casework.space.session import person_required
from orientation import services
from orientation.enums import ActionStatus
from orientation.space import selectors
from orientation.space.forms import ActionMarkForm
from partners.errors import DomainError


@person_required
def space_plan(request: HttpRequest) -> HttpResponse:
    """The plan d'action: the person's own actions carry their form, the others are read only."""
    access = request.space_access  # type: ignore[attr-defined]
    if space_selectors.is_archived(access):
        return redirect("space_home")
    rows = [
        (
            action,
            ActionMarkForm(
                initial={
                    "done": "0" if action.status == ActionStatus.DONE else "1",
                    "comment": action.person_comment,
                },
                auto_id=f"action-{action.pk}-%s",
            )
            if selectors.may_mark(action)
            else None,
        )
        for action in selectors.actions(access)
    ]
    return render(
        request,
        "orientation/space/plan.html",
        {"space_person": True, "plan": selectors.plan(access), "rows": rows},
    )


@require_POST
@person_required
def space_action_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of one's own actions done, or not yet: another owner's action, an abandoned one
    or another person's is the same 404 as a missing one."""
    access = request.space_access  # type: ignore[attr-defined]
    if space_selectors.is_archived(access):
        return redirect("space_home")
    action = get_object_or_404(selectors.own_actions(access), pk=pk)
    form = ActionMarkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, str(errors[0]))
        return redirect("space_plan")
    try:
        services.action_person_mark(
            access=access,
            action=action,
            done=form.cleaned_data["done"],
            comment=form.cleaned_data["comment"],
            info=RequestInfo.of(request),
        )
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            "C'est noté : vos professionnel·les le voient."
            if form.cleaned_data["done"]
            else "C'est noté : l'action est de nouveau à faire.",
        )
    return redirect("space_plan")
