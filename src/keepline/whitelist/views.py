"""Pages of the whitelists: listings and their export, certificates and the public check page,
applications (the queue waiting for each official, the applicant's own), the application form,
an application's progress and history with its decisions, revocation, and the whitelist page of
an enterprise or park."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.lists import export_response, list_page, listing_views
from keepline.core.models import Attachment, Role
from keepline.core.scopes import get_for, holds, may, memberships, require_role
from keepline.core.web import AuthedRequest, apply_errors, attachment_response, form_page
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park
from keepline.whitelist import rules
from keepline.whitelist.certificates import check_url, qr_svg
from keepline.whitelist.forms import ApplicationForm, DecisionForm, NominationForm, RevokeForm
from keepline.whitelist.models import (
    InvitationStatus,
    OwnApplication,
    Step,
    WhitelistApplication,
    WhitelistInvitation,
    WhitelistListing,
)
from keepline.whitelist.selectors import applications, invitations, listings
from keepline.whitelist.services import applications as application_services
from keepline.whitelist.services import invitations as invitation_services
from keepline.whitelist.services import listings as listing_services
from keepline.whitelist.services import reviews

# ---- listings ---------------------------------------------------------------------------------


listing_list, listing_export = listing_views(
    listings.LISTINGS,
    "whitelist/listings.html",
    "whitelist/_listings.html",
    export="whitelist:listings_export",
)


@login_required
def listing_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    listing = listings.listing_for(request.user, pk)
    return render(
        request,
        "whitelist/listing.html",
        {
            "listing": listing,
            "check_url": check_url(request, listing),
            "can_revoke": listing.active and rules.may_decide_listing(request.user, listing),
            "others": listings.subject_listings(request.user, listing.subject).exclude(
                pk=listing.pk
            ),
        },
    )


@login_required
def certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    """The printable certificate (A4), with the QR code of the public check page."""
    listing = listings.listing_for(request.user, pk)
    url = check_url(request, listing)
    return render(
        request,
        "whitelist/certificate.html",
        {"listing": listing, "check_url": url, "qr": qr_svg(url)},
    )


@login_required
def revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    listing = listings.listing_for(request.user, pk)
    if not rules.may_decide_listing(request.user, listing):
        raise Forbidden(_("A listing is revoked by the government that listed it."))

    def save(data: dict[str, Any]) -> HttpResponse:
        listing_services.revoke_listing(actor=request.user, listing_id=pk, reason=data["reason"])
        messages.success(request, _("The listing is revoked."))
        return redirect("whitelist:listing", pk)

    form = RevokeForm(request.POST or None)
    return form_page(request, form, "whitelist/revoke.html", save, {"listing": listing})


@never_cache
def check(request: HttpRequest, token: str) -> HttpResponse:
    """The public page a certificate's QR code opens: whether the listing is in force. No
    sign-in; it shows the name, credit code, level, category and dates, and nothing else."""
    listing = (
        WhitelistListing.objects.select_related("enterprise", "park").filter(token=token).first()
    )
    if listing is None:
        raise NotFound(_("No whitelist listing has this code."))
    return render(request, "whitelist/check.html", {"listing": listing})


# ---- applications -----------------------------------------------------------------------------


def _own_subjects(request: AuthedRequest) -> list[tuple[str, str]]:
    """(name, apply URL) for the enterprises and parks the user applies for: where a liaison or
    a park committee starts a first application."""
    out = []
    for m in memberships(request.user):
        if m.role == Role.LIAISON and m.enterprise is not None:
            out.append(
                (str(m.enterprise), reverse("whitelist:apply_enterprise", args=[m.enterprise_id]))
            )
        elif m.role == Role.PARK and m.park is not None:
            out.append((str(m.park), reverse("whitelist:apply_park", args=[m.park_id])))
    return out


# The open invitations shown above the applications; the rest are on the enterprises' pages.
INVITATIONS_SHOWN = 20


def _open_invitations(request: AuthedRequest) -> dict[str, Any]:
    """The open invitations the user sees: the officials' follow-up list, the liaison's call."""
    if not holds(request.user, WhitelistInvitation):
        return {"rows": [], "count": 0}
    qs = invitations.invitations(request.user, InvitationStatus.OPEN)
    rows = [
        {"invitation": i, "may_apply": rules.may_apply(request.user, i.enterprise)}
        for i in qs[:INVITATIONS_SHOWN]
    ]
    return {"rows": rows, "count": qs.count()}


@login_required
def application_list(request: AuthedRequest) -> HttpResponse:
    """The queue waiting for an official, the applicant's own, or all the user may see."""
    require_role(request.user, WhitelistApplication)
    decider = rules.is_decider(request.user)
    applicant = holds(request.user, OwnApplication, "apply")
    if "view" not in request.GET:
        # The page lands where its reader works (the API's default stays "all"): officials who
        # decide on their queue, applicants on their own applications.
        landing = request.GET.copy()
        landing["view"] = "waiting" if decider else "mine" if applicant else "all"
        request.GET = landing  # type: ignore[assignment]
    return list_page(
        request,
        applications.APPLICATIONS,
        "whitelist/applications.html",
        "whitelist/_applications.html",
        {
            "export_url": reverse("whitelist:applications_export"),
            "view": request.GET["view"],
            "decider": decider,
            "applicant": applicant,
            "waiting_count": applications.waiting(request.user).count() if decider else 0,
            "apply_for": _own_subjects(request) if applicant else [],
            "invitations": _open_invitations(request),
        },
    )


@login_required
def application_export(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, WhitelistApplication)
    return export_response(request, applications.APPLICATIONS)


def _application_page(
    request: AuthedRequest,
    pk: int,
    *,
    status: int = 200,
    error: str = "",
    bound: DecisionForm | None = None,
) -> HttpResponse:
    application = applications.application_for(request.user, pk)
    steps = rules.steps_to_decide(request.user, application)
    forms = []
    for step in steps:
        form = DecisionForm(initial={"version": application.version, "step": step})
        if bound is not None and bound.data.get("step", step) == step:
            form = bound
        forms.append({"step": step, "label": Step(step).label, "form": form})
    nominate = rules.may_nominate(request.user, application)
    return render(
        request,
        "whitelist/application.html",
        {
            "application": application,
            "progress": applications.progress(application),
            "timeline": applications.timeline(application),
            "decisions": forms,
            "nominate_form": NominationForm(initial={"version": application.version})
            if nominate
            else None,
            "can_edit": rules.may_edit(request.user, application),
            "can_read_documents": may(request.user, "documents", application),
            "documents": [
                (name, label, getattr(application, name))
                for name, label in applications.DOCUMENTS.items()
            ],
            "listings": application.listings.all(),
            "error": error,
        },
        status=status,
    )


@login_required
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _application_page(request, pk)


@login_required
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    form.is_valid()
    decision = request.POST.get("decision", "")
    try:
        reviews.decide_application(
            actor=request.user,
            application_id=pk,
            decision=decision,
            reasons=form.cleaned_data.get("reasons") or "",
            version=form.cleaned_data.get("version"),
            step=form.cleaned_data.get("step") or None,
        )
    except InvalidInput as exc:
        apply_errors(form, exc)
        return _application_page(request, pk, status=exc.status, error=exc.message, bound=form)
    except Conflict as exc:
        return _application_page(request, pk, status=exc.status, error=exc.message)
    messages.success(
        request,
        {
            "approve": _("Approved."),
            "return": _("Returned to the applicant."),
            "reject": _("Rejected."),
        }[decision],
    )
    return redirect("whitelist:application", pk)


@login_required
@require_POST
def nominate(request: AuthedRequest, pk: int) -> HttpResponse:
    form = NominationForm(request.POST)
    form.is_valid()
    try:
        reviews.nominate_application(
            actor=request.user,
            application_id=pk,
            version=form.cleaned_data.get("version"),
            reasons=form.cleaned_data.get("reasons") or "",
        )
    except (InvalidInput, Conflict) as exc:
        return _application_page(request, pk, status=exc.status, error=exc.message)
    messages.success(request, _("Nominated to the province."))
    return redirect("whitelist:application", pk)


@login_required
def document(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    """One of the application's documents; each opening is recorded in the audit trail."""
    attachment: Attachment = application_services.open_document(
        actor=request.user, application_id=pk, kind=kind
    )
    return attachment_response(attachment)


def _uploads(request: HttpRequest) -> dict[str, application_services.Upload | None]:
    return application_services.read_uploads(
        {name: request.FILES.get(name) for name in applications.DOCUMENTS}
    )


def _apply(request: AuthedRequest, subject: Enterprise | Park) -> HttpResponse:
    if not rules.may_apply(request.user, subject):
        raise Forbidden(_("Only the enterprise's liaison or the park's committee applies."))
    pending = applications.open_application(subject)
    listed = listings.active_listings(subject).first()
    # An invitation's "Apply" link names the chain it was invited for.
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        initial={"chain": request.GET.get("chain", "")[: application_services.MAX_CHAIN]},
    )

    def save(data: dict[str, Any]) -> HttpResponse:
        key = "enterprise_id" if isinstance(subject, Enterprise) else "park_id"
        place: dict[str, Any] = {key: subject.pk}
        application = application_services.submit_application(
            actor=request.user,
            category=data["category"],
            chain=data["chain"],
            note=data["note"],
            files=_uploads(request),
            **place,
        )
        messages.success(request, _("Application submitted for inspection."))
        return redirect("whitelist:application", application.pk)

    return form_page(
        request,
        form,
        "whitelist/application_form.html",
        save,
        {
            "subject": subject,
            "application": None,
            "pending": pending,
            "listed": listed,
            "chains": listings.chains(request.user),
        },
    )


@login_required
def apply_enterprise(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, OwnApplication, "apply")
    return _apply(
        request, get_for(Enterprise.objects.select_related("region", "park"), request.user, pk)
    )


@login_required
def apply_park(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, OwnApplication, "apply")
    return _apply(request, get_for(Park.objects.select_related("region"), request.user, pk))


@login_required
def resubmit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The applicant changes a returned application and submits it again."""
    application = applications.application_for(request.user, pk)
    if not rules.may_apply(request.user, application.subject):
        raise Forbidden(_("Only the applicant changes the application."))
    initial = {
        "category": application.category,
        "chain": application.chain,
        "note": application.note,
        "version": application.version,
    }
    form = ApplicationForm(
        request.POST or None, request.FILES or None, initial=initial, resubmitting=True
    )
    # A valid submission of an application no longer returned is the service's 409.
    if application.status != "returned" and not (request.method == "POST" and form.is_valid()):
        raise Conflict(
            _("Only a returned application is changed; it is %(status)s.")
            % {"status": application.get_status_display()}
        )

    def save(data: dict[str, Any]) -> HttpResponse:
        application_services.resubmit_application(
            actor=request.user,
            application_id=pk,
            version=data["version"],
            category=data["category"],
            chain=data["chain"],
            note=data["note"],
            files=_uploads(request),
        )
        messages.success(request, _("Application submitted again for inspection."))
        return redirect("whitelist:application", pk)

    return form_page(
        request,
        form,
        "whitelist/application_form.html",
        save,
        {
            "subject": application.subject,
            "application": application,
            "returned": [e for e in applications.timeline(application) if e.decision == "return"][
                -1:
            ],
            "chains": listings.chains(request.user),
        },
    )


# ---- an enterprise's or park's whitelist page -----------------------------------------------


def _subject_invitations(
    request: AuthedRequest, subject: Enterprise | Park
) -> list[dict[str, Any]]:
    if not isinstance(subject, Enterprise) or not holds(request.user, WhitelistInvitation):
        return []
    may_withdraw = rules.may_invite(request.user, subject)
    may_apply = rules.may_apply(request.user, subject)
    return [
        {
            "invitation": i,
            "may_apply": may_apply,
            "may_withdraw": may_withdraw and i.status == InvitationStatus.OPEN,
        }
        for i in invitations.invitations(request.user).filter(enterprise=subject)
    ]


def _subject_page(request: AuthedRequest, subject: Enterprise | Park) -> HttpResponse:
    histories = [
        {"application": a, "timeline": applications.timeline(a)}
        for a in applications.subject_applications(request.user, subject)
    ]
    return render(
        request,
        "whitelist/subject.html",
        {
            "subject": subject,
            "is_enterprise": isinstance(subject, Enterprise),
            "listings": listings.subject_listings(request.user, subject),
            "applications": histories,
            "direct": listings.direct_listing_events(request.user, subject),
            "may_apply": rules.may_apply(request.user, subject),
            "invitations": _subject_invitations(request, subject),
            "pending": applications.open_application(subject),
            "listed": listings.active_listings(subject).exists(),
        },
    )


@login_required
def enterprise_page(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, WhitelistListing)
    return _subject_page(
        request, get_for(Enterprise.objects.select_related("region", "park"), request.user, pk)
    )


@login_required
def park_page(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, WhitelistListing)
    return _subject_page(request, get_for(Park.objects.select_related("region"), request.user, pk))


@login_required
@require_POST
def withdraw_invitation(request: AuthedRequest, pk: int) -> HttpResponse:
    """An official withdraws an open invitation to apply; back to the enterprise's page."""
    invitation = invitation_services.withdraw_invitation(actor=request.user, invitation_id=pk)
    messages.success(request, _("The invitation is withdrawn."))
    return redirect("whitelist:enterprise", invitation.enterprise_id)
