"""One problem's page, shared by the pages that post to it (its steps, its documents, its
letters): the deadlines, the timeline, the documents, the letters and the forms of the steps
the user may take, the posted one bound with its errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from keepline.core.models import Attachment, Role, User
from keepline.core.scopes import may
from keepline.core.web import AuthedRequest
from keepline.enterprises.models import Enterprise
from keepline.problems import documents, rules, selectors
from keepline.problems.forms.attachments import AttachForm
from keepline.problems.forms.letters import LetterDraftForm, LetterReplyForm, LetterWithdrawForm
from keepline.problems.forms.lifecycle import (
    ConfirmForm,
    ReassignForm,
    ReopenForm,
    ReplyForm,
    StartForm,
    VersionForm,
)
from keepline.problems.models import (
    OPEN_STATUSES,
    CoordinationLetter,
    LetterStatus,
    Problem,
    ProblemStatus,
)
from keepline.problems.services import attachments
from keepline.reports.selectors import region_chain

HANDLER_ROLES = [Role.ADMIN, Role.BUREAU, Role.DISTRICT, Role.PARK, Role.COMMISSIONER]


def handler_choices(enterprise: Enterprise) -> list[tuple[int, str]]:
    """Active users whose handling roles reach the enterprise."""
    reach = Q(memberships__role=Role.ADMIN) | Q(
        memberships__region__path__in=region_chain(enterprise.region.path)
    )
    if enterprise.park_id:
        reach |= Q(memberships__park=enterprise.park_id)
    reach |= Q(memberships__enterprise=enterprise.pk)
    # One filter() call: the role and the scope belong to the same membership.
    ids = User.objects.filter(reach, memberships__role__in=HANDLER_ROLES, is_active=True).values(
        "pk"
    )
    users = User.objects.filter(pk__in=ids).order_by("username")
    return [(u.pk, f"{u.display_name or u.username} ({u.username})") for u in users]


def department_choices(enterprise: Enterprise) -> list[tuple[int, str]]:
    """The departments of the enterprise's region and the regions above it."""
    qs = selectors.reassign_departments(enterprise).select_related("region")
    return [(d.pk, f"{d.name} · {d.region}") for d in qs]


def uploads(files: Any) -> list[attachments.Upload]:
    """Uploaded files as (name, bytes); a file beyond the size limit is read only far enough
    for the service to refuse it."""
    return [(f.name or "", f.read(Attachment.MAX_BYTES + 1)) for f in files]


ACTIONS = {
    # action: (right, statuses it applies to)
    "accept": ("handle", [ProblemStatus.SUBMITTED]),
    "start": ("handle", [ProblemStatus.ACCEPTED]),
    "reply": ("handle", [ProblemStatus.ACCEPTED, ProblemStatus.IN_PROGRESS]),
    "confirm": ("confirm", [ProblemStatus.REPLIED]),
    "reopen": ("confirm", [ProblemStatus.REPLIED]),
    "reassign": ("reassign", [*OPEN_STATUSES, ProblemStatus.REPLIED]),
}


def step_forms(
    problem: Problem, user: User, data: Any = None, action: str = ""
) -> dict[str, forms.Form]:
    """The action forms, the one of `action` bound to `data`."""
    initial = {"version": problem.version}
    made: dict[str, forms.Form] = {}
    for name in ACTIONS:
        bound = data if name == action else None
        if name == "reassign":
            made[name] = ReassignForm(
                bound,
                initial=initial,
                departments=department_choices(problem.enterprise),
                handlers=handler_choices(problem.enterprise),
            )
        else:
            cls: type[forms.Form] = {
                "accept": VersionForm,
                "start": StartForm,
                "reply": ReplyForm,
                "confirm": ConfirmForm,
                "reopen": ReopenForm,
            }[name]
            made[name] = cls(bound, initial=initial)
    return made


def letter_forms_for(letter: CoordinationLetter) -> dict[str, forms.Form]:
    """Unbound forms of the steps the letter's status allows."""
    initial = {"version": letter.version}
    classes = LETTER_FORMS.get(letter.status, [])
    return {name: LETTER_FORM_CLASSES[name](initial=initial) for name in classes}


LETTER_FORM_CLASSES: dict[str, type[forms.Form]] = {
    "send": VersionForm,
    "reply": LetterReplyForm,
    "withdraw": LetterWithdrawForm,
}
# The steps each letter status allows.
LETTER_FORMS: dict[str, list[str]] = {
    LetterStatus.DRAFTED: ["send", "withdraw"],
    LetterStatus.SENT: ["reply", "withdraw"],
}


def detail_page(
    request: AuthedRequest,
    problem: Problem,
    *,
    action_forms: dict[str, forms.Form] | None = None,
    attach_form: AttachForm | None = None,
    draft_form: LetterDraftForm | None = None,
    bound_letter: tuple[int, str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """One problem's page; the form that was posted, if any, comes bound with its errors."""
    pk = problem.pk
    action_forms = action_forms if action_forms is not None else step_forms(problem, request.user)
    allowed = {
        name
        for name, (right, statuses) in ACTIONS.items()
        if problem.status in statuses and may(request.user, right, problem)
    }
    now = timezone.now()
    state = selectors.deadline_state(problem, now)
    owed = dict(selectors.unmet_deadlines(problem))
    deadlines = []
    for kind, label, due, met in [
        ("acknowledge", _("Acknowledge by"), problem.acknowledge_due, problem.accepted_at),
        ("interim", _("Interim reply by"), problem.interim_due, problem.interim_replied_at),
        ("close", pgettext("deadline", "Close by"), problem.close_due, problem.replied_at),
    ]:
        flag = "met" if kind not in owed else "overdue" if due <= now else ""
        if not flag and state.kind == kind and state.near:
            flag = "near"
        deadlines.append({"kind": kind, "label": label, "due": due, "met": met, "flag": flag})
    coordinator = (
        problem.status != ProblemStatus.CLOSED
        and may(request.user, "coordinate", problem)
        and rules.may_coordinate(request.user, problem)
    )
    letters = []
    for letter in documents.letters_of(request.user, pk):
        letter_forms = letter_forms_for(letter) if coordinator else {}
        if bound_letter is not None and bound_letter[0] == letter.pk:
            _id, step, form = bound_letter
            if step in letter_forms:
                letter_forms[step] = form
        letters.append({"letter": letter, "overdue": letter.overdue_at(now), "forms": letter_forms})
    return render(
        request,
        "problems/detail.html",
        {
            "problem": problem,
            "state": state,
            "deadlines": deadlines,
            "now": now,
            "timeline": selectors.timeline(request.user, pk),
            "forms": {name: f for name, f in action_forms.items() if name in allowed},
            "attachments": documents.attachments(request.user, pk),
            "attach_form": (
                (attach_form or AttachForm()) if rules.may_attach(request.user, problem) else None
            ),
            "letters": letters,
            "draft_form": (draft_form or LetterDraftForm()) if coordinator else None,
        },
        status=status,
    )
