"""API of the whitelists: listings (filters, detail, revocation) and applications (submit with the
three documents, progress and history, decisions with 409 on a stale version, nomination) — the
same services, selectors and scopes as the pages."""

import datetime as dt
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.models import Attachment
from keepline.core.scopes import get_for, require_role
from keepline.whitelist.certificates import check_url
from keepline.whitelist.models import (
    WhitelistApplication,
    WhitelistInvitation,
    WhitelistListing,
    WhitelistReview,
)
from keepline.whitelist.rules import open_steps
from keepline.whitelist.selectors import applications, invitations, listings
from keepline.whitelist.services import applications as application_services
from keepline.whitelist.services import invitations as invitation_services
from keepline.whitelist.services import listings as listing_services
from keepline.whitelist.services import reviews

router = Router(tags=["whitelist"])

# An uploaded document: PDF, image, Word or Excel, up to 20 MB; the service names a missing one.
Document = Annotated[
    UploadedFile | None, File(description="PDF, image, Word or Excel; up to 20 MB")
]

# ---- listings ---------------------------------------------------------------------------------


class ListingOut(Schema):
    id: int = Field(examples=[31])
    number: str = Field(description="Certificate number", examples=["LZ-WL-2022-0031"])
    level: str = Field(description="city | province | national", examples=["city"])
    category: str = Field(
        description="social_operation | epidemic_prevention | daily_needs | key_materials | "
        "key_industries",
        examples=["key_industries"],
    )
    chain: str = Field(description="Industry chain", examples=["白酒"])
    kind: str = Field(description="enterprise | park", examples=["enterprise"])
    enterprise_id: int | None = Field(None, examples=[12])
    park_id: int | None = Field(None, examples=[None])
    name: str = Field(examples=["泸州示例酒业有限公司"])
    uscc: str | None = Field(
        None, description="Credit code of an enterprise", examples=["91510500MA62X5QF23"]
    )
    region: str = Field(description="Region code of the subject", examples=["510502"])
    authority: str | None = Field(
        None,
        description="Region code of the deciding government; none nationally",
        examples=["510500"],
    )
    listed_at: dt.datetime = Field(examples=["2022-09-05T16:00:00+08:00"])
    listed_by: str = Field(examples=["bureau01"])
    application_id: int | None = Field(None, examples=[44])
    basis: str = Field(description="Basis of a listing without application", examples=[""])
    active: bool = Field(description="In force (not revoked)", examples=[True])
    revoked_at: dt.datetime | None = Field(None, examples=[None])
    revoke_reason: str = Field(examples=[""])
    revoked_by: str = Field(examples=[""])
    check_url: str = Field(
        description="The public check page the certificate's QR code opens",
        examples=["https://keepline.example/whitelist/check/6Qm2yP0cX9hJ1rT4aB7kLw/"],
    )

    @staticmethod
    def resolve_kind(obj: WhitelistListing) -> str:
        return "enterprise" if obj.enterprise_id else "park"

    @staticmethod
    def resolve_name(obj: WhitelistListing) -> str:
        return str(obj.subject)

    @staticmethod
    def resolve_uscc(obj: WhitelistListing) -> str | None:
        return obj.enterprise.uscc if obj.enterprise else None

    @staticmethod
    def resolve_region(obj: WhitelistListing) -> str:
        return obj.subject.region.code

    @staticmethod
    def resolve_authority(obj: WhitelistListing) -> str | None:
        return obj.authority.code if obj.authority else None

    @staticmethod
    def resolve_check_url(obj: WhitelistListing, context: Any) -> str:
        return check_url(context["request"], obj)


@router.get(
    "/whitelist/listings",
    response=list[ListingOut],
    summary="Whitelist listings the user may see",
    description="The list page's filters and sort, field for field.",
    openapi_extra=listings.LISTINGS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def listing_list(request: Any) -> Any:
    require_role(request.auth, WhitelistListing)
    return listings.LISTINGS.rows(request.auth, request.GET)


@router.get("/whitelist/listings/{listing_id}", response=ListingOut, summary="One listing")
def listing_detail(request: Any, listing_id: int) -> Any:
    return listings.listing_for(request.auth, listing_id)


class RevokeIn(Schema):
    reason: str = Field(
        description="Which condition is no longer met", examples=["闭环管理措施落实不到位"]
    )


@router.post(
    "/whitelist/listings/{listing_id}/revoke",
    response=ListingOut,
    summary="Revoke a listing (the government that listed it)",
)
def listing_revoke(request: Any, listing_id: int, payload: RevokeIn) -> Any:
    listing_services.revoke_listing(
        actor=request.auth, listing_id=listing_id, reason=payload.reason
    )
    return listings.listing_for(request.auth, listing_id)


# ---- applications -----------------------------------------------------------------------------


class DocumentOut(Schema):
    kind: str = Field(
        description="commitment | staff_list | epidemic_plan", examples=["commitment"]
    )
    filename: str = Field(examples=["承诺书.pdf"])
    size: int = Field(description="Bytes", examples=[183220])
    sha256: str = Field(
        examples=["9f2c1e0b7a4d5c6e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7"]
    )


class ReviewOut(Schema):
    round: int = Field(examples=[1])
    step: str = Field(
        description="application | inspection | economy | health | city | nomination | province",
        examples=["inspection"],
    )
    decision: str = Field(description="submit | approve | return | reject", examples=["approve"])
    reasons: str = Field(examples=["现场核查：封闭管理条件具备"])
    by: str = Field(alias="actor_name", examples=["park01"])
    at: dt.datetime = Field(examples=["2022-09-02T10:00:00+08:00"])


class StepOut(Schema):
    step: str = Field(examples=["economy"])
    state: str = Field(
        description="done | current | returned | rejected | waiting | optional",
        examples=["current"],
    )
    place: str = Field(description="Who decides", examples=["江阳区 economy bureau"])


class ApplicationOut(Schema):
    id: int = Field(examples=[44])
    kind: str = Field(description="enterprise | park", examples=["enterprise"])
    enterprise_id: int | None = Field(None, examples=[12])
    park_id: int | None = Field(None, examples=[None])
    name: str = Field(examples=["泸州示例酒业有限公司"])
    region: str = Field(examples=["510502"])
    requested_level: str = Field(examples=["city"])
    category: str = Field(examples=["key_industries"])
    chain: str = Field(examples=["白酒"])
    note: str = Field(examples=["保障全市白酒产业链原料供应"])
    status: str = Field(
        description="inspection | district_review | city_decision | listed_city | "
        "province_decision | listed_province | returned | rejected | province_rejected | closed",
        examples=["district_review"],
    )
    economy_approved: bool = Field(examples=[True])
    health_approved: bool = Field(examples=[False])
    open_steps: list[str] = Field(
        description="Steps waiting for a decision now", examples=[["health"]]
    )
    round: int = Field(description="Submissions so far", examples=[1])
    submitted_by: str = Field(examples=["liaison01"])
    submitted_at: dt.datetime = Field(examples=["2022-09-01T09:30:00+08:00"])
    version: int = Field(
        description="Send it back with a decision; a stale one answers 409", examples=[3]
    )

    @staticmethod
    def resolve_kind(obj: WhitelistApplication) -> str:
        return "enterprise" if obj.enterprise_id else "park"

    @staticmethod
    def resolve_name(obj: WhitelistApplication) -> str:
        return str(obj.subject)

    @staticmethod
    def resolve_region(obj: WhitelistApplication) -> str:
        return obj.subject.region.code

    @staticmethod
    def resolve_open_steps(obj: WhitelistApplication) -> list[str]:
        return [str(s) for s in open_steps(obj)]


class ApplicationDetailOut(ApplicationOut):
    documents: list[DocumentOut] = Field(
        examples=[
            [
                {
                    "kind": "commitment",
                    "filename": "承诺书.pdf",
                    "size": 183220,
                    "sha256": "9f2c1e0b7a4d5c6e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7",
                }
            ]
        ]
    )
    progress: list[StepOut] = Field(
        description="The steps of the current round",
        examples=[[{"step": "inspection", "state": "done", "place": "江阳测试园区"}]],
    )
    reviews: list[ReviewOut] = Field(
        description="Every submission and decision, oldest first",
        examples=[
            [
                {
                    "round": 1,
                    "step": "inspection",
                    "decision": "approve",
                    "reasons": "",
                    "by": "park01",
                    "at": "2022-09-02T10:00:00+08:00",
                }
            ]
        ],
    )
    listings: list[ListingOut] = Field(description="Listings this application gave", examples=[[]])

    @staticmethod
    def resolve_documents(obj: WhitelistApplication) -> list[dict[str, Any]]:
        return [{"kind": name, **_document(getattr(obj, name))} for name in applications.DOCUMENTS]

    @staticmethod
    def resolve_progress(obj: WhitelistApplication) -> list[dict[str, Any]]:
        return [
            {"step": s.step, "state": s.state, "place": s.place} for s in applications.progress(obj)
        ]

    @staticmethod
    def resolve_reviews(obj: WhitelistApplication) -> QuerySet[WhitelistReview]:
        return obj.reviews.all()

    @staticmethod
    def resolve_listings(obj: WhitelistApplication) -> QuerySet[WhitelistListing]:
        return obj.listings.select_related(*listings.LISTING_RELATED)


def _document(attachment: Attachment) -> dict[str, Any]:
    return {"filename": attachment.filename, "size": attachment.size, "sha256": attachment.sha256}


@router.get(
    "/whitelist/applications",
    response=list[ApplicationOut],
    summary="Whitelist applications: waiting for me, mine, or all I may see",
    description="The list page's filters and sort, field for field.",
    openapi_extra=applications.APPLICATIONS.openapi(),
)
@paginate(PageNumberPagination, page_size=50)
def application_list(request: Any) -> Any:
    require_role(request.auth, WhitelistApplication)
    return applications.APPLICATIONS.rows(request.auth, request.GET)


@router.get(
    "/whitelist/applications/{application_id}",
    response=ApplicationDetailOut,
    summary="One application: where it stands and its history",
)
def application_detail(request: Any, application_id: int) -> Any:
    return applications.application_for(request.auth, application_id)


class SubmitIn(Schema):
    enterprise_id: int | None = Field(
        None, description="The enterprise applying (its liaison)", examples=[12]
    )
    park_id: int | None = Field(
        None, description="Or the park applying (its committee)", examples=[None]
    )
    requested_level: str = Field("city", description="Always city", examples=["city"])
    category: str = Field("", examples=["key_industries"])
    chain: str = Field("", description="Industry chain", examples=["白酒"])
    note: str = Field("", description="Statement", examples=["保障全市白酒产业链原料供应"])


class ResubmitIn(Schema):
    version: int | None = Field(
        None, description="The version you read; a stale one answers 409", examples=[4]
    )
    category: str = Field("", examples=["key_industries"])
    chain: str = Field("", examples=["白酒"])
    note: str = Field("", examples=["补充了员工名单"])


@router.post(
    "/whitelist/applications",
    response={201: ApplicationDetailOut},
    summary="Apply for the city whitelist (multipart: fields and the three documents)",
)
def application_submit(
    request: Any,
    payload: Form[SubmitIn],
    commitment: Document = None,
    staff_list: Document = None,
    epidemic_plan: Document = None,
) -> Any:
    application = application_services.submit_application(
        actor=request.auth,
        files=application_services.read_uploads(
            {"commitment": commitment, "staff_list": staff_list, "epidemic_plan": epidemic_plan}
        ),
        **payload.dict(),
    )
    return Status(201, applications.application_for(request.auth, application.pk))


@router.post(
    "/whitelist/applications/{application_id}/resubmit",
    response=ApplicationDetailOut,
    summary="Change a returned application and submit it again (documents optional)",
)
def application_resubmit(
    request: Any,
    application_id: int,
    payload: Form[ResubmitIn],
    commitment: Document = None,
    staff_list: Document = None,
    epidemic_plan: Document = None,
) -> Any:
    application_services.resubmit_application(
        actor=request.auth,
        application_id=application_id,
        files=application_services.read_uploads(
            {"commitment": commitment, "staff_list": staff_list, "epidemic_plan": epidemic_plan}
        ),
        **payload.dict(),
    )
    return applications.application_for(request.auth, application_id)


class DecisionIn(Schema):
    decision: str = Field(description="approve | return | reject", examples=["return"])
    reasons: str = Field(
        "", description="Required to return or reject", examples=["员工名单缺少身份证号码"]
    )
    version: int | None = Field(
        None, description="The version you read; a stale one answers 409", examples=[3]
    )
    step: str | None = Field(
        None,
        description="Only when you decide two waiting steps (economy and health)",
        examples=["health"],
    )


@router.post(
    "/whitelist/applications/{application_id}/decision",
    response=ApplicationDetailOut,
    summary="Decide the step waiting for you: approve, return with reasons, or reject",
)
def application_decide(request: Any, application_id: int, payload: DecisionIn) -> Any:
    reviews.decide_application(actor=request.auth, application_id=application_id, **payload.dict())
    return applications.application_for(request.auth, application_id)


class NominationIn(Schema):
    version: int | None = Field(
        None, description="The version you read; a stale one answers 409", examples=[6]
    )
    reasons: str = Field("", description="Recommendation", examples=["全市白酒龙头企业"])


@router.post(
    "/whitelist/applications/{application_id}/nomination",
    response=ApplicationDetailOut,
    summary="Nominate a city-listed applicant to the province (the city's bureau)",
)
def application_nominate(request: Any, application_id: int, payload: NominationIn) -> Any:
    reviews.nominate_application(
        actor=request.auth, application_id=application_id, **payload.dict()
    )
    return applications.application_for(request.auth, application_id)


# ---- invitations to apply ---------------------------------------------------------------------


class InvitationOut(Schema):
    id: int = Field(examples=[7])
    enterprise_id: int = Field(examples=[12])
    name: str = Field(examples=["泸州示例玻璃制品有限公司"])
    chain: str = Field(description="Industry chain", examples=["白酒"])
    reason: str = Field(examples=["闭环生产可使龙马潭区 12 家企业免于断供，避免损失 3,456.7 万元"])
    source: str = Field(description="Where it comes from", examples=["泸州 2022 年 9 月静态管理"])
    status: str = Field(description="open | applied | withdrawn", examples=["open"])
    invited_by: str = Field(examples=["bureau01"])
    invited_at: dt.datetime = Field(examples=["2022-09-06T10:00:00+08:00"])
    application_id: int | None = Field(
        None, description="The application that took it up", examples=[None]
    )
    closed_by: str = Field(description="Who withdrew it", examples=[""])
    closed_at: dt.datetime | None = Field(None, examples=[None])

    @staticmethod
    def resolve_name(obj: WhitelistInvitation) -> str:
        return str(obj.enterprise)


class InvitationIn(Schema):
    enterprise_id: int = Field(description="The enterprise invited", examples=[12])
    chain: str = Field(description="The chain it keeps running", examples=["白酒"])
    reason: str = Field(
        description="Why it should apply",
        examples=["闭环生产可使龙马潭区 12 家企业免于断供"],
    )
    source: str = Field("", description="e.g. the scenario's name", examples=["泸州 9 月静态管理"])


def _invitation(request: Any, invitation_id: int) -> WhitelistInvitation:
    return get_for(
        WhitelistInvitation.objects.select_related("enterprise"), request.auth, invitation_id
    )


@router.get(
    "/whitelist/invitations",
    response=list[InvitationOut],
    summary="Invitations to apply the user may see",
    openapi_extra=invitations.INVITATIONS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def invitation_list(request: Any) -> Any:
    require_role(request.auth, WhitelistInvitation)
    return invitations.INVITATIONS.rows(request.auth, request.GET)


@router.post(
    "/whitelist/invitations",
    response={201: InvitationOut},
    summary="Invite an enterprise to apply for the whitelist (the bureau or the district)",
)
def invitation_create(request: Any, payload: InvitationIn) -> Any:
    invitation = invitation_services.invite_application(actor=request.auth, **payload.dict())
    return Status(201, _invitation(request, invitation.pk))


@router.post(
    "/whitelist/invitations/{invitation_id}/withdraw",
    response=InvitationOut,
    summary="Withdraw an open invitation",
)
def invitation_withdraw(request: Any, invitation_id: int) -> Any:
    invitation_services.withdraw_invitation(actor=request.auth, invitation_id=invitation_id)
    return _invitation(request, invitation_id)
