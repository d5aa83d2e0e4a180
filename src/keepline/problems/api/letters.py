"""API of coordination letters: the register (the page's filters), drafting, the steps, the
Word document and the reply's document."""

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Form, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.scopes import require_role
from keepline.core.web import attachment_response
from keepline.problems import documents, letter_listings
from keepline.problems.api.attachments import ReplyDocument, upload
from keepline.problems.models import CoordinationLetter
from keepline.problems.services import letters

router = Router(tags=["problems"])


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
    description="The register page's filters and sort, field for field.",
    openapi_extra=letter_listings.LETTERS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def letter_list(request: Any) -> Any:
    require_role(request.auth, CoordinationLetter)
    return letter_listings.LETTERS.rows(request.auth, request.GET)


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
        file=upload(file) if file is not None else None,
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
