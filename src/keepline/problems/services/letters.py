"""Writes of coordination letters to other cities' and provinces' task forces: drafted,
sent (numbered in the issuing task force's register), answered or withdrawn, each on the
problem's timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.scopes import Actor, get_for
from keepline.places.models import Region
from keepline.problems.calendar import add_working_days
from keepline.problems.models import (
    DEFAULT_REPLY_DAYS,
    AddresseeLevel,
    CoordinationLetter,
    LetterStatus,
    ProblemEventKind,
    ProblemStatus,
)
from keepline.problems.rules import may_coordinate
from keepline.problems.selectors import NUMBER_FORMAT, abbreviation, issuer_name, issuing_region
from keepline.problems.services._common import (
    STEP_ACTIONS,
    _event,
    _lock,
    _name,
    _text,
    _user,
)
from keepline.problems.services.attachments import Upload, store_uploads

LETTER_AUDIT = [
    "problem",
    "number",
    "addressee",
    "addressee_level",
    "subject",
    "status",
    "reply_days",
    "sent_at",
    "reply_due",
    "replied_at",
    "reply_attachment",
    "withdrawn_at",
    "version",
]


def _letter_event(letter: CoordinationLetter, actor: Actor, kind: str, at: dt.datetime) -> None:
    problem = letter.problem
    label = letter.number or letter.subject
    note = f"{label} → {letter.addressee}"
    _event(problem, actor, kind, at=at, from_status=problem.status, note=note)


def _lock_letter(
    actor: Actor, letter_id: int, version: int, allowed: list[str]
) -> CoordinationLetter:
    qs = CoordinationLetter.objects.select_for_update(of=("self",)).select_related(
        "problem__enterprise__region", "problem__enterprise__park", "issuer_region"
    )
    letter = get_for(qs, actor, letter_id, "coordinate")
    if not may_coordinate(actor, letter.problem, letter.issuer_region):
        raise Forbidden(_("Coordination letters are written by the city task force or above."))
    if version != letter.version or letter.status not in allowed:
        raise Conflict(
            _("Someone changed this letter in the meantime; reload it."),
            current={"status": letter.status, "version": letter.version},
        )
    return letter


def _letter_step(
    *,
    actor: Actor,
    letter: CoordinationLetter,
    before: dict[str, Any],
    kind: str,
    now: dt.datetime,
) -> CoordinationLetter:
    letter.version += 1
    letter.save()
    _letter_event(letter, actor, kind, now)
    old, new = audit.changes(before, audit.snapshot(letter, LETTER_AUDIT))
    audit.record(actor=actor, action=STEP_ACTIONS[kind], obj=letter, before=old, after=new)
    return letter


def draft_letter(
    *,
    actor: Actor,
    problem_id: int,
    addressee: str,
    addressee_level: str,
    subject: str,
    body: str,
    contact: str = "",
    reply_days: Any = DEFAULT_REPLY_DAYS,
    now: dt.datetime | None = None,
) -> CoordinationLetter:
    """Draft a coordination letter to another city's or province's task force about a problem
    that is not closed. It is numbered and its reply date set when it is sent."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for name, value, limit in [
        ("addressee", addressee, 200),
        ("subject", subject, 200),
        ("body", body, None),
    ]:
        try:
            values[name] = _text(value, name, max_length=limit)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if addressee_level not in AddresseeLevel.values:
        errors["addressee_level"] = [_("Choose one of the listed values.")]
    if isinstance(reply_days, bool) or not isinstance(reply_days, int) or not 1 <= reply_days <= 60:
        errors["reply_days"] = [_("Give a whole number of working days from 1 to 60.")]
    contact = (contact or "").strip()
    if len(contact) > 200:
        errors["contact"] = [_("At most %(n)d characters.") % {"n": 200}]
    with transaction.atomic():
        problem = _lock(actor, problem_id, "coordinate")
        issuer = issuing_region(problem)
        if not may_coordinate(actor, problem, issuer):
            raise Forbidden(_("Coordination letters are written by the city task force or above."))
        if errors:
            raise InvalidInput(_("Correct the letter."), errors=errors)
        if problem.status == ProblemStatus.CLOSED:
            raise Conflict(
                _("The problem is closed."),
                current={"status": problem.status, "version": problem.version},
            )
        now = now or timezone.now()
        user = _user(actor)
        letter = CoordinationLetter.objects.create(
            problem=problem,
            issuer_region=issuer,
            issuer=issuer_name(issuer),
            addressee=values["addressee"],
            addressee_level=addressee_level,
            subject=values["subject"],
            body=values["body"],
            contact=contact or (user.display_name or user.username if user else _name(actor)),
            reply_days=reply_days,
            author=user,
            author_name=_name(actor),
            drafted_at=now,
        )
        _letter_event(letter, actor, ProblemEventKind.LETTER_DRAFTED, now)
        audit.record(
            actor=actor,
            action=audit.Action.DRAFT_LETTER,
            obj=letter,
            after=audit.snapshot(letter, LETTER_AUDIT),
        )
    return letter


def send_letter(
    *, actor: Actor, letter_id: int, version: int, now: dt.datetime | None = None
) -> CoordinationLetter:
    """Send a drafted letter: it takes the issuing task force's next number of the year and
    its reply is due the given working days from now."""
    with transaction.atomic():
        letter = _lock_letter(actor, letter_id, version, [LetterStatus.DRAFTED])
        before = audit.snapshot(letter, LETTER_AUDIT)
        now = now or timezone.now()
        year = timezone.localtime(now).year
        # One register per issuing task force and year: lock its region row so two letters
        # sent at once take consecutive numbers.
        region = Region.objects.select_for_update().get(pk=letter.issuer_region_id)
        last = (
            CoordinationLetter.objects.filter(issuer_region=region, year=year)
            .exclude(serial__isnull=True)
            .order_by("-serial")
            .values_list("serial", flat=True)
            .first()
        )
        letter.year = year
        letter.serial = (last or 0) + 1
        letter.number = NUMBER_FORMAT.format(
            abbreviation=abbreviation(region), year=year, serial=letter.serial
        )
        letter.status = LetterStatus.SENT
        letter.sent_at = now
        letter.reply_due = add_working_days(now, letter.reply_days)
        return _letter_step(
            actor=actor,
            letter=letter,
            before=before,
            kind=ProblemEventKind.LETTER_SENT,
            now=now,
        )


def record_letter_reply(
    *,
    actor: Actor,
    letter_id: int,
    version: int,
    text: str,
    file: Upload | None = None,
    now: dt.datetime | None = None,
) -> CoordinationLetter:
    """Record the addressee's answer to a sent letter, with its document if there is one."""
    text = _text(text, "reply")
    with transaction.atomic():
        letter = _lock_letter(actor, letter_id, version, [LetterStatus.SENT])
        before = audit.snapshot(letter, LETTER_AUDIT)
        if file is not None:
            letter.reply_attachment = store_uploads(actor, [file], "reply_file")[0]
        now = now or timezone.now()
        letter.status = LetterStatus.REPLIED
        letter.reply = text
        letter.replied_at = now
        return _letter_step(
            actor=actor,
            letter=letter,
            before=before,
            kind=ProblemEventKind.LETTER_REPLIED,
            now=now,
        )


def withdraw_letter(
    *,
    actor: Actor,
    letter_id: int,
    version: int,
    reason: str,
    now: dt.datetime | None = None,
) -> CoordinationLetter:
    """Withdraw a drafted or sent letter (solved another way, wrong addressee). A sent letter
    keeps its number: the register has no gaps."""
    reason = _text(reason, "reason")
    with transaction.atomic():
        letter = _lock_letter(actor, letter_id, version, [LetterStatus.DRAFTED, LetterStatus.SENT])
        before = audit.snapshot(letter, LETTER_AUDIT)
        now = now or timezone.now()
        letter.status = LetterStatus.WITHDRAWN
        letter.withdrawn_at = now
        letter.withdrawn_reason = reason
        return _letter_step(
            actor=actor,
            letter=letter,
            before=before,
            kind=ProblemEventKind.LETTER_WITHDRAWN,
            now=now,
        )
