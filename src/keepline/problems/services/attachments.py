"""Writes of a problem's documents (photos, notices) and of the files kept with a letter's
reply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.models import Attachment
from keepline.core.scopes import Actor
from keepline.core.services import store_attachment
from keepline.problems.models import Problem, ProblemEventKind, ProblemStatus
from keepline.problems.rules import may_attach
from keepline.problems.services._common import _event, _lock

MAX_FILES = 10
# An uploaded document: its file name and its bytes.
Upload = tuple[str, bytes]


def store_uploads(actor: Actor, files: Sequence[Upload], field: str) -> list[Attachment]:
    """Keep each document; every bad one is named (by its file name) under `field`. The caller
    is inside a transaction, so an error drops whatever was stored."""
    if len(files) > MAX_FILES:
        message = _("Attach at most %(n)d files at a time.") % {"n": MAX_FILES}
        raise InvalidInput(message, errors={field: [message]})
    stored: list[Attachment] = []
    errors: list[str] = []
    for filename, data in files:
        try:
            stored.append(store_attachment(actor=actor, filename=filename, data=data, field=field))
        except InvalidInput as exc:
            errors.append(f"{filename}: {exc.message}")
    if errors:
        raise InvalidInput(_("Correct the attachments."), errors={field: errors})
    return stored


def attach_uploads(
    actor: Actor, problem: Problem, files: Sequence[Upload], *, at: dt.datetime
) -> list[Attachment]:
    stored = store_uploads(actor, files, "attachments")
    problem.attachments.add(*stored)
    names = ", ".join(a.filename for a in stored)
    _event(problem, actor, ProblemEventKind.ATTACHED, at=at, from_status=problem.status, note=names)
    audit.record(
        actor=actor,
        action=audit.Action.ATTACH_TO_PROBLEM,
        obj=problem,
        after={"attachments": [a.pk for a in stored], "filenames": [a.filename for a in stored]},
    )
    return stored


def attach_documents(
    *,
    actor: Actor,
    problem_id: int,
    files: Sequence[Upload],
    now: dt.datetime | None = None,
) -> list[Attachment]:
    """Add documents to a problem that is not closed. The steps' version is left alone: a
    document does not change what anyone decided."""
    if not files:
        message = _("Choose a file to attach.")
        raise InvalidInput(message, errors={"attachments": [message]})
    with transaction.atomic():
        problem = _lock(actor, problem_id, "view")
        if problem.status == ProblemStatus.CLOSED:
            raise Conflict(
                _("The problem is closed; it takes no more documents."),
                current={"status": problem.status, "version": problem.version},
            )
        if not may_attach(actor, problem):
            raise Forbidden(_("You may see this but not change it."))
        return attach_uploads(actor, problem, files, at=now or timezone.now())
