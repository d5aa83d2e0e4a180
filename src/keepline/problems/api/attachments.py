"""API of a problem's documents: listing, adding (multipart) and reading them; JSON documents
(base64) for the operations that file them with a problem."""

import base64
import binascii
import datetime as dt
from typing import Annotated, Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from keepline.core.errors import InvalidInput
from keepline.core.models import Attachment
from keepline.core.web import attachment_response
from keepline.problems import documents
from keepline.problems.services import attachments

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


def upload(file: UploadedFile) -> attachments.Upload:
    """An uploaded file as the services take it; one beyond the size limit is read only far
    enough for the service to refuse it."""
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
        actor=request.auth, problem_id=problem_id, files=[upload(f) for f in files]
    )
    return documents.attachments(request.auth, problem_id)


@router.get(
    "/problems/{problem_id}/attachments/{attachment_id}",
    response={200: None},
    summary="Download one of a problem's documents",
)
def attachment_download(request: Any, problem_id: int, attachment_id: int) -> HttpResponse:
    return attachment_response(documents.attachment(request.auth, problem_id, attachment_id))
