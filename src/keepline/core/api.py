"""API of core: who am I, the people, the audit trail, and file imports."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from keepline.core import selectors
from keepline.core.errors import InvalidInput
from keepline.core.imports import importer_for, importers
from keepline.core.models import AuditEvent, Membership, User
from keepline.core.scopes import memberships, require_role

router = Router(tags=["core"])


class MembershipOut(Schema):
    role: str = Field(examples=["district"])
    scope: str = Field(examples=["江阳区"])


def _membership(m: Membership) -> dict[str, str]:
    return {"role": m.role, "scope": str(m.region or m.park or m.enterprise or m.department or "")}


class MeOut(Schema):
    username: str = Field(examples=["district"])
    display_name: str = Field(examples=["江阳区经信局 李四"])
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, summary="The signed-in user and their roles")
def me(request: Any) -> dict[str, Any]:
    user = request.auth
    return {
        "username": user.username,
        "display_name": user.display_name,
        "memberships": [_membership(m) for m in memberships(user)],
    }


class PersonOut(Schema):
    id: int
    username: str = Field(examples=["district"])
    display_name: str = Field(examples=["江阳区经信局 李四"])
    email: str = Field(examples=["lisi@example.cn"])
    is_active: bool = Field(examples=[True])
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(obj: User) -> list[dict[str, str]]:
        return [_membership(m) for m in obj.memberships.all()]


@router.get(
    "/people",
    response=list[PersonOut],
    summary="People and their roles (administrators)",
    openapi_extra=selectors.PEOPLE.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def people(request: Any) -> Any:
    require_role(request.auth, User)
    return selectors.PEOPLE.rows(request.auth, request.GET)


class AuditOut(Schema):
    at: dt.datetime
    actor_name: str = Field(examples=["district"])
    action: str = Field(description="One of the actions the filter lists", examples=["update"])
    object_type: str = Field(examples=["enterprises.enterprise"])
    object_id: str = Field(examples=["42"])
    object_repr: str = Field(examples=["泸州示例酒业有限公司"])
    before: Any = Field(None, examples=[{"employees": 800}])
    after: Any = Field(None, examples=[{"employees": 860}])
    request_id: str = Field(examples=["0f3c9a…"])


@router.get(
    "/audit",
    response=list[AuditOut],
    summary="Audit events the user may see",
    openapi_extra=selectors.AUDIT.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def audit_events(request: Any) -> Any:
    require_role(request.auth, AuditEvent)
    return selectors.AUDIT.rows(request.auth, request.GET)


class ImportIn(Schema):
    check: bool = Field(False, description="Only check the file; write nothing")


class ImportOut(Schema):
    kind: str = Field(examples=["enterprises"])
    rows: int = Field(description="Good rows in the file", examples=[120])
    written: int = Field(description="Rows written (0 with check)", examples=[120])


@router.post(
    "/imports/{kind}",
    response=ImportOut,
    summary="Import a file (multipart: file, check); all rows or none",
    description="The same check and write as the import page and `keepline import`. Kinds: "
    + ", ".join(f"`{i.kind}`" for i in importers())
    + ". Columns: the template at /imports/{kind}/template.xlsx (headers in Chinese or "
    "English). A bad file answers 400 with `errors` naming each bad row (`row 3, Share`), "
    "and nothing is written.",
)
def import_file(
    request: Any, kind: str, payload: Form[ImportIn], file: File[UploadedFile]
) -> dict[str, Any]:
    importer = importer_for(kind)
    data = file.read()
    with transaction.atomic():
        result = importer.check(request.auth, file.name or "", data)
        if not result.ok:
            raise result.as_error()
        if not result.rows:
            raise InvalidInput(_("The file has no rows."))
        written = 0 if payload.check else importer.write(request.auth, result)
    return {"kind": kind, "rows": len(result.rows), "written": written}
