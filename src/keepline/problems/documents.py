"""Reads of a problem's documents — its attachments and its coordination letters, each only
for those who see the problem — and a coordination letter as a Word document."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from keepline.core.errors import NotFound
from keepline.core.models import Attachment
from keepline.core.scopes import Actor, get_for, require_role, visible
from keepline.problems import selectors
from keepline.problems.calendar import add_working_days
from keepline.problems.letter_listings import letter_overdue_q
from keepline.problems.models import CoordinationLetter

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LETTER_RELATED = ("problem__enterprise__region", "problem__enterprise__park", "issuer_region")


def attachments(actor: Actor, problem_id: int) -> list[Attachment]:
    """The documents of a problem the actor sees, oldest first."""
    found = selectors.problem(actor, problem_id)
    return list(found.attachments.defer("content").order_by("created_at", "id"))


def attachment(actor: Actor, problem_id: int, attachment_id: int) -> Attachment:
    """One document of a problem the actor sees (404 for a problem they do not see, and for a
    document that is not this problem's)."""
    found = selectors.problem(actor, problem_id)
    document = found.attachments.filter(pk=attachment_id).first()
    if document is None:
        raise NotFound(_("Not found."))
    return document


def letters(
    actor: Actor,
    *,
    status: str = "",
    overdue: bool | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[CoordinationLetter]:
    """The coordination letters the actor sees, newest first; `overdue` True: sent and past
    the reply date, False: not so."""
    require_role(actor, CoordinationLetter)
    qs = visible(CoordinationLetter.objects.select_related(*LETTER_RELATED), actor)
    if status:
        qs = qs.filter(status=status)
    if overdue is not None:
        late = letter_overdue_q(now or timezone.now())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs


def letters_of(actor: Actor, problem_id: int) -> list[CoordinationLetter]:
    """The letters about one problem, for those who see letters (none for the others)."""
    qs = visible(CoordinationLetter.objects.select_related(*LETTER_RELATED), actor)
    return list(qs.filter(problem_id=problem_id).order_by("drafted_at", "id"))


def letter(actor: Actor, letter_id: int) -> CoordinationLetter:
    return get_for(CoordinationLetter.objects.select_related(*LETTER_RELATED), actor, letter_id)


def reply_document(actor: Actor, letter_id: int) -> Attachment:
    found = letter(actor, letter_id)
    if found.reply_attachment_id is None:
        raise NotFound(_("Not found."))
    return Attachment.objects.get(pk=found.reply_attachment_id)


def _date(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return _("%(y)d-%(m)02d-%(d)02d") % {"y": local.year, "m": local.month, "d": local.day}


def letter_filename(found: CoordinationLetter) -> str:
    return f"{found.number or _('draft')}-{found.subject}"[:120] + ".docx"


def to_docx(found: CoordinationLetter) -> bytes:
    """The letter as the task force sends it: letterhead, number, addressee, the enterprise
    and its problem, the request, the date a reply is asked for, the contact. Written in
    Chinese whatever the reader's language: it goes to another task force. A draft says so
    and shows the reply date it would ask for if sent today."""
    problem = found.problem
    enterprise = problem.enterprise
    with translation.override("zh-hans"):
        document = Document()
        document.styles["Normal"].font.size = Pt(14)
        head = document.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = head.add_run(found.issuer)
        run.bold = True
        run.font.size = Pt(22)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        number = document.add_paragraph()
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        number.add_run(found.number or _("Draft, not yet numbered"))
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        subject = title.add_run(found.subject)
        subject.bold = True
        subject.font.size = Pt(18)
        document.add_paragraph(_("%(addressee)s:") % {"addressee": found.addressee})
        document.add_paragraph(
            _(
                "%(enterprise)s (unified social credit code %(uscc)s) in %(region)s has asked "
                "for help: %(title)s."
            )
            % {
                "enterprise": enterprise.name,
                "uscc": enterprise.uscc,
                "region": enterprise.region.name_zh,
                "title": problem.title,
            }
        )
        if problem.whitelisted:
            document.add_paragraph(
                _("The enterprise is on the %(level)s whitelist for keeping production going.")
                % {"level": problem.get_whitelist_level_display()}
            )
        if problem.description:
            document.add_paragraph(problem.description)
        for paragraph in found.body.splitlines():
            if paragraph.strip():
                document.add_paragraph(paragraph.strip())
        due = found.reply_due or add_working_days(timezone.now(), found.reply_days)
        document.add_paragraph(_("Please reply by %(date)s.") % {"date": _date(due)}).runs[
            0
        ].bold = True
        document.add_paragraph(_("Contact: %(contact)s") % {"contact": found.contact})
        for text in (found.issuer, _date(found.sent_at or timezone.now())):
            signature = document.add_paragraph(text)
            signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        buffer = io.BytesIO()
        document.save(buffer)
    return buffer.getvalue()
