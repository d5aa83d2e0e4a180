"""API of a problem's documents and coordination letters, the Excel import of problems, and
taking up a daily report's problem field: the same services and scopes as the pages."""

import base64
import binascii
import datetime as dt
from typing import Annotated, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput
from keepline.core.models import Attachment
from keepline.core.scopes import get_for, require_area
from keepline.core.web import attachment_response
from keepline.problems import documents, importing
from keepline.problems.models import CoordinationLetter, Problem
from keepline.problems.services import attachments, letters, lifecycle
from keepline.problems.services import importing as importing_services
from keepline.reports.models import DailyReport

router = Router(tags=["problems"])

# The addressee's answer as a document: PDF, image, Word or Excel, up to 20 MB; optional.
ReplyDocument = Annotated[
    UploadedFile | None, File(description="PDF, image, Word or Excel; up to 20 MB")
]


class DocumentIn(Schema):
    filename: str = Field(examples=["车辆被拦现场.jpg"])
    content_base64: str = Field(description="The file's bytes, base64", examples=["/9j/4AAQ…"])


def decode(items: list[DocumentIn]) -> list[attachments.Upload]:
    """JSON documents as uploads; a bad base64 body is named by its position."""
    out: list[attachments.Upload] = []
    errors: list[str] = []
    for n, item in enumerate(items, start=1):
        try:
            out.append((item.filename, base64.b64decode(item.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            errors.append(_("Document %(n)d is not valid base64.") % {"n": n})
    if errors:
        raise InvalidInput(_("Correct the attachments."), errors={"attachments": errors})
    return out


class AttachmentOut(Schema):
    id: int = Field(examples=[7])
    filename: str = Field(examples=["车辆被拦现场.jpg"])
    content_type: str = Field(examples=["image/jpeg"])
    size: int = Field(examples=[183204])
    sha256: str = Field(
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
    )
    created_at: dt.datetime = Field(examples=["2022-09-12T09:31:00+08:00"])


def _upload(file: UploadedFile) -> attachments.Upload:
    return (file.name or "", file.read(Attachment.MAX_BYTES + 1))


@router.get(
    "/problems/{problem_id}/attachments",
    response=list[AttachmentOut],
    summary="The documents attached to a problem",
)
def attachment_list(request: Any, problem_id: int) -> Any:
    return documents.attachments(request.auth, problem_id)


@router.post(
    "/problems/{problem_id}/attachments",
    response=list[AttachmentOut],
    summary="Attach documents to a problem (multipart: files)",
    description="PDF, image, Word or Excel, up to 20 MB each and 10 at a time; by who filed "
    "the problem, its liaison or its handlers, until it is closed (409 then).",
)
def attachment_add(request: Any, problem_id: int, files: File[list[UploadedFile]]) -> Any:
    attachments.attach_documents(
        actor=request.auth, problem_id=problem_id, files=[_upload(f) for f in files]
    )
    return documents.attachments(request.auth, problem_id)


@router.get(
    "/problems/{problem_id}/attachments/{attachment_id}",
    response={200: None},
    summary="Download one of a problem's documents",
)
def attachment_download(request: Any, problem_id: int, attachment_id: int) -> HttpResponse:
    return attachment_response(documents.attachment(request.auth, problem_id, attachment_id))


# ---- coordination letters ----------------------------------------------------------------------


class LetterOut(Schema):
    id: int = Field(examples=[3])
    problem_id: int = Field(examples=[17])
    number: str = Field(
        description='Given when sent; "" for a draft', examples=["泸企协〔2022〕3号"]
    )
    issuer: str = Field(examples=["泸州市新冠肺炎疫情防控指挥部"])
    addressee: str = Field(examples=["宜宾市新冠肺炎疫情防控指挥部"])
    addressee_level: str = Field(
        description="other_city, province or other_province", examples=["other_city"]
    )
    subject: str = Field(examples=["关于协调解决原料运输车辆通行问题的函"])
    body: str = Field(examples=["请协调翠屏区放行两辆原料运输车辆。"])
    contact: str = Field(examples=["张三 0830-1234567"])
    reply_days: int = Field(examples=[5])
    status: str = Field(description="drafted, sent, replied or withdrawn", examples=["sent"])
    author_name: str = Field(examples=["bureau"])
    drafted_at: dt.datetime = Field(examples=["2022-09-12T10:00:00+08:00"])
    sent_at: dt.datetime | None = Field(None, examples=["2022-09-12T11:00:00+08:00"])
    reply_due: dt.datetime | None = Field(None, examples=["2022-09-19T11:00:00+08:00"])
    replied_at: dt.datetime | None = Field(None, examples=[None])
    reply: str = Field(examples=[""])
    has_reply_document: bool = Field(examples=[False])
    withdrawn_at: dt.datetime | None = Field(None, examples=[None])
    withdrawn_reason: str = Field(examples=[""])
    overdue: bool = Field(description="Sent and past the reply date", examples=[False])
    version: int = Field(description="Send it back with each step", examples=[2])

    @staticmethod
    def resolve_has_reply_document(obj: CoordinationLetter) -> bool:
        return obj.reply_attachment_id is not None

    @staticmethod
    def resolve_overdue(obj: CoordinationLetter) -> bool:
        return obj.overdue_at(timezone.now())


class LetterFilterIn(Schema):
    status: str = Field("", description="drafted, sent, replied, withdrawn", examples=["sent"])
    overdue: bool | None = Field(None, description="Reply overdue", examples=[True])


class LetterIn(Schema):
    addressee: str = Field(examples=["宜宾市新冠肺炎疫情防控指挥部"])
    addressee_level: str = Field(
        description="other_city, province or other_province", examples=["other_city"]
    )
    subject: str = Field(examples=["关于协调解决原料运输车辆通行问题的函"])
    body: str = Field(examples=["请协调翠屏区放行两辆原料运输车辆。"])
    contact: str = Field("", description="Empty: the author's name", examples=["张三 0830-1234567"])
    reply_days: int = Field(5, description="Working days from sending", examples=[5])


class LetterVersionIn(Schema):
    version: int = Field(description="The letter's version you read", examples=[1])


class LetterReplyIn(LetterVersionIn):
    reply: str = Field(examples=["已协调翠屏区放行"])


class LetterWithdrawIn(LetterVersionIn):
    reason: str = Field(examples=["已通过其他渠道解决"])


@router.get(
    "/problems/letters",
    response=list[LetterOut],
    summary="Coordination letters the user may see",
)
@paginate(PageNumberPagination, page_size=100)
def letter_list(request: Any, filters: Query[LetterFilterIn]) -> Any:
    return documents.letters(request.auth, status=filters.status, overdue=filters.overdue)


@router.post(
    "/problems/{problem_id}/letters",
    response=LetterOut,
    summary="Draft a coordination letter to another city's or province's task force",
)
def letter_draft(request: Any, problem_id: int, payload: LetterIn) -> Any:
    letter = letters.draft_letter(actor=request.auth, problem_id=problem_id, **payload.dict())
    return documents.letter(request.auth, letter.pk)


@router.get(
    "/problems/letters/{int:letter_id}", response=LetterOut, summary="One coordination letter"
)
def letter_detail(request: Any, letter_id: int) -> Any:
    return documents.letter(request.auth, letter_id)


@router.get(
    "/problems/letters/{int:letter_id}/docx",
    response={200: None},
    summary="The letter as a Word document",
)
def letter_docx(request: Any, letter_id: int) -> HttpResponse:
    letter = documents.letter(request.auth, letter_id)
    response = HttpResponse(documents.to_docx(letter), content_type=documents.DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, documents.letter_filename(letter)
    )
    return response


@router.post(
    "/problems/letters/{int:letter_id}/send",
    response=LetterOut,
    summary="Send a drafted letter: it is numbered and its reply date set",
)
def letter_send(request: Any, letter_id: int, payload: LetterVersionIn) -> Any:
    letters.send_letter(actor=request.auth, letter_id=letter_id, version=payload.version)
    return documents.letter(request.auth, letter_id)


@router.post(
    "/problems/letters/{int:letter_id}/reply",
    response=LetterOut,
    summary="Record the reply to a sent letter (multipart: version, reply, optional file)",
)
def letter_reply(
    request: Any, letter_id: int, payload: Form[LetterReplyIn], file: ReplyDocument = None
) -> Any:
    letters.record_letter_reply(
        actor=request.auth,
        letter_id=letter_id,
        version=payload.version,
        text=payload.reply,
        file=_upload(file) if file is not None else None,
    )
    return documents.letter(request.auth, letter_id)


@router.get(
    "/problems/letters/{int:letter_id}/reply-document",
    response={200: None},
    summary="The document that came with the reply",
)
def letter_reply_document(request: Any, letter_id: int) -> HttpResponse:
    return attachment_response(documents.reply_document(request.auth, letter_id))


@router.post(
    "/problems/letters/{int:letter_id}/withdraw",
    response=LetterOut,
    summary="Withdraw a drafted or sent letter",
)
def letter_withdraw(request: Any, letter_id: int, payload: LetterWithdrawIn) -> Any:
    letters.withdraw_letter(
        actor=request.auth, letter_id=letter_id, version=payload.version, reason=payload.reason
    )
    return documents.letter(request.auth, letter_id)


# ---- Excel import, daily reports ---------------------------------------------------------------


class ImportIn(Schema):
    check: bool = Field(False, description="Only check the file; file nothing", examples=[False])


class ImportOut(Schema):
    checked: int = Field(description="Rows checked", examples=[12])
    imported: list[int] = Field(
        description="The new problems' ids (none when checking)", examples=[[41, 42]]
    )


@router.post(
    "/problems/import",
    response=ImportOut,
    summary="Import problems from an Excel file (multipart: file, check); all or none",
    description="Columns 统一社会信用代码/uscc, category (Chinese or English label, or code), "
    "urgency (normal, urgent or critical, or 一般/普通, 紧急, 特急; default normal), title, "
    "description, filed_at (default now). A bad file "
    "answers 400 with `errors` naming each bad row (`row 3, Category`), and nothing is "
    "written.",
)
def problem_import(request: Any, payload: Form[ImportIn], file: File[UploadedFile]) -> Any:
    require_area(request.auth, Problem, "file")
    check = importing.check_file(actor=request.auth, filename=file.name or "", data=file.read())
    if not check.ok:
        errors: dict[str, list[str]] = {}
        for e in check.errors:
            key = _("row %(row)d, %(column)s") % {
                "row": e.row,
                "column": importing.LABELS.get(e.column, e.column),
            }
            errors.setdefault(key, []).append(e.message)
        raise InvalidInput(_("The file has errors; nothing was imported."), errors=errors)
    if payload.check:
        return {"checked": len(check.rows), "imported": []}
    created = importing_services.import_problems(actor=request.auth, rows=check.rows)
    return {"checked": len(check.rows), "imported": [p.pk for p in created]}


class FromReportOut(Schema):
    problem_id: int = Field(examples=[17])
    created: bool = Field(description="false: the report had been taken up before", examples=[True])


@router.post(
    "/problems/from-report/{report_id}",
    response=FromReportOut,
    summary="Take up a daily report's problem field as a problem (idempotent)",
)
def problem_from_report(request: Any, report_id: int) -> Any:
    report = get_for(
        DailyReport.objects.select_related("enterprise__region", "enterprise__park"),
        request.auth,
        report_id,
    )
    existing = Problem.objects.filter(report=report).exists()
    problem = lifecycle.file_from_report(actor=request.auth, report=report)
    return {"problem_id": problem.pk, "created": not existing}
