"""The review chain: each official approves, returns or rejects the step waiting for them (the
district's economy bureau and health commission in either order), the approvals that list, and
the city's nomination to the province."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.scopes import Actor
from keepline.places.models import WhitelistLevel
from keepline.whitelist.models import (
    ApplicationStatus,
    Decision,
    Step,
    WhitelistApplication,
    WhitelistListing,
)
from keepline.whitelist.rules import DECIDED_STEPS, deciding_steps, open_steps, reaches
from keepline.whitelist.selectors.applications import place_of
from keepline.whitelist.selectors.listings import active_listings
from keepline.whitelist.services._common import (
    APPLICATION_AUDIT,
    MAX_TEXT,
    _clock,
    _current,
    _lock,
    _locked_application,
    _require_version,
    _review,
)
from keepline.whitelist.services.listings import create_listing


def _choose_step(
    actor: Actor, application: WhitelistApplication, version: int | None, step: str | None
) -> str:
    """The step this decision is on. 403 when the actor decides no step of the application, or
    not the one waiting; 409 when the application moved on since the actor read it."""
    mine = deciding_steps(actor, application)
    if not mine:
        raise Forbidden(_("You do not decide any step of this application."))
    if _require_version(version) != application.version:
        raise Conflict(
            _("Someone else acted on this application meanwhile: it is now %(status)s.")
            % {"status": application.get_status_display()},
            current=_current(application),
        )
    waiting = open_steps(application)
    if not waiting:
        raise Conflict(
            _("This application is not waiting for a decision: it is %(status)s.")
            % {"status": application.get_status_display()},
            current=_current(application),
        )
    if step:
        if step not in DECIDED_STEPS:
            raise InvalidInput(_("Unknown step."), errors={"step": [_("Unknown step.")]})
        if step in mine and step not in waiting:
            raise Conflict(
                _("%(step)s has been decided already.") % {"step": Step(step).label},
                current=_current(application),
            )
        candidates = [step] if step in mine else []
    else:
        candidates = [s for s in waiting if s in mine]
        # In the district review, one of the two may have decided its half already.
        done = [s for s in (Step.ECONOMY, Step.HEALTH) if s in mine and s not in waiting]
        if not candidates and done and application.status == ApplicationStatus.DISTRICT_REVIEW:
            raise Conflict(
                _("%(step)s has been decided already.") % {"step": Step(done[0]).label},
                current=_current(application),
            )
    if not candidates:
        raise Forbidden(
            _("This step is decided by %(who)s, not by you.")
            % {"who": ", ".join(place_of(application, s) for s in waiting)}
        )
    if len(candidates) > 1:
        raise InvalidInput(
            _("You decide more than one waiting step: say which."),
            errors={"step": [", ".join(str(Step(s).label) for s in candidates)]},
        )
    return candidates[0]


@transaction.atomic
def decide_application(
    *,
    actor: Actor,
    application_id: int,
    decision: str,
    version: int | None,
    reasons: str = "",
    step: str | None = None,
    now: dt.datetime | None = None,
) -> WhitelistApplication:
    """An official approves the step waiting for them, returns the application to the applicant
    with reasons, or rejects it (final). The district review needs both the economy bureau and
    the health commission, in either order; the city's approval lists at city level and the
    province's at provincial level. `version` is what the official read: two officials deciding
    the same step at once — the first wins, the second gets 409 with the state that stands."""
    now = _clock(now)
    application = _locked_application(actor, application_id)
    step = _choose_step(actor, application, version, step)
    errors: dict[str, list[str]] = {}
    if decision not in (Decision.APPROVE, Decision.RETURN, Decision.REJECT):
        errors["decision"] = [_("Approve, return or reject.")]
    reasons = (reasons or "").strip()
    if decision in (Decision.RETURN, Decision.REJECT) and not reasons:
        errors["reasons"] = [_("Give the reasons, so the applicant knows what to change.")]
    elif len(reasons) > MAX_TEXT:
        errors["reasons"] = [_("At most %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise InvalidInput(_("The decision has errors."), errors=errors)
    before = audit.snapshot(application, APPLICATION_AUDIT)
    level = ""
    if decision == Decision.APPROVE:
        if step == Step.INSPECTION:
            application.status = ApplicationStatus.DISTRICT_REVIEW
        elif step in (Step.ECONOMY, Step.HEALTH):
            if step == Step.ECONOMY:
                application.economy_approved = True
            else:
                application.health_approved = True
            if application.economy_approved and application.health_approved:
                application.status = ApplicationStatus.CITY_DECISION
        elif step == Step.CITY:
            application.status = ApplicationStatus.LISTED_CITY
            level = WhitelistLevel.CITY
        else:
            application.status = ApplicationStatus.LISTED_PROVINCE
            level = WhitelistLevel.PROVINCE
    elif decision == Decision.RETURN:
        application.status = ApplicationStatus.RETURNED
    else:
        # A province's refusal leaves the city's listing in force.
        application.status = (
            ApplicationStatus.PROVINCE_REJECTED
            if step == Step.PROVINCE
            else ApplicationStatus.REJECTED
        )
    application.version += 1
    application.save()
    _review(
        actor=actor,
        application=application,
        step=step,
        decision=decision,
        reasons=reasons,
        at=now,
    )
    old, new = audit.changes(before, audit.snapshot(application, APPLICATION_AUDIT))
    audit.record(
        actor=actor,
        action=audit.Action(f"{decision}_whitelist_{step}"),
        obj=application,
        before=old,
        after={**new, "reasons": reasons},
    )
    if level:
        _list_application(actor, application, level, now)
    return application


def _list_application(
    actor: Actor, application: WhitelistApplication, level: str, now: dt.datetime
) -> WhitelistListing:
    """The listing an approval gives. An application returned by the province and approved by
    the city again keeps the city listing it already has."""
    subject = application.subject
    _lock(subject)
    kept = active_listings(subject).filter(level=level).first()
    if kept is not None:
        return kept
    authority = application.city if level == WhitelistLevel.CITY else application.province
    return create_listing(
        actor=actor,
        subject=subject,
        level=level,
        category=application.category,
        chain=application.chain,
        authority=authority,
        at=now,
        application=application,
        action=audit.Action.LIST,
    )


@transaction.atomic
def nominate_application(
    *,
    actor: Actor,
    application_id: int,
    version: int | None,
    reasons: str = "",
    now: dt.datetime | None = None,
) -> WhitelistApplication:
    """The city's industry bureau nominates a city-listed applicant for the provincial list."""
    now = _clock(now)
    application = _locked_application(actor, application_id)
    if not reaches(actor, application, Step.NOMINATION):
        raise Forbidden(_("The city's industry bureau nominates to the province."))
    version = _require_version(version)
    if application.status != ApplicationStatus.LISTED_CITY or version != application.version:
        raise Conflict(
            _("Only an application listed at city level is nominated; it is %(status)s.")
            % {"status": application.get_status_display()},
            current=_current(application),
        )
    reasons = (reasons or "").strip()
    if len(reasons) > MAX_TEXT:
        raise InvalidInput(
            _("The nomination has errors."),
            errors={"reasons": [_("At most %(max)s characters.") % {"max": MAX_TEXT}]},
        )
    before = audit.snapshot(application, APPLICATION_AUDIT)
    application.status = ApplicationStatus.PROVINCE_DECISION
    application.version += 1
    application.save()
    _review(
        actor=actor,
        application=application,
        step=Step.NOMINATION,
        decision=Decision.APPROVE,
        reasons=reasons,
        at=now,
    )
    old, new = audit.changes(before, audit.snapshot(application, APPLICATION_AUDIT))
    audit.record(
        actor=actor,
        action=audit.Action.NOMINATE_WHITELIST_APPLICATION,
        obj=application,
        before=old,
        after={**new, "reasons": reasons},
    )
    return application
