"""Pages of the keep-running ranking: the panel on the scenario page (each pick with its reason
in words and its whitelist status), ranking, inviting a pick to apply for the whitelist, the
ranking's export, and the substitutes of a customer that runs dry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from keepline.chains.models import KeepRunningPick, Scenario, ScenarioStatus
from keepline.chains.selectors.keep import chain_name, pick_rows, reason, scenario_for
from keepline.chains.selectors.keep import substitutes as substitutes_of
from keepline.chains.services.keep import rank_scenario
from keepline.core.errors import NotFound
from keepline.core.scopes import get_for, holds, may
from keepline.core.tabular import workbook_response
from keepline.core.web import AuthedRequest
from keepline.enterprises.models import Enterprise
from keepline.whitelist.services import invitations as whitelist_invitations


def scenario_panel(request: HttpRequest, scenario: Scenario) -> str:
    """The ranking panel for the scenario page: "" if the reader may see no ranking."""
    actor = request.user
    if not holds(actor, KeepRunningPick):  # type: ignore[arg-type]
        return ""
    rows = pick_rows(actor, scenario)  # type: ignore[arg-type]
    return render_to_string(
        "chains/keep_panel.html",
        {
            "scenario": scenario,
            "rows": rows,
            "done": scenario.status == ScenarioStatus.DONE,
            "may_rank": may(actor, "change", scenario),  # type: ignore[arg-type]
            "next": request.get_full_path(),
            "chart": [
                {"rank": r["pick"].rank, "cumulative": float(r["pick"].cumulative)} for r in rows
            ],
        },
        request=request,
    )


def _back(request: HttpRequest, scenario: Scenario) -> HttpResponse:
    """Back where the form was (the scenario page), else to the scenarios."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(reverse("chains:scenario", args=[scenario.pk]))


@login_required
@require_POST
def rank(request: AuthedRequest, pk: int) -> HttpResponse:
    """Rank the enterprises and parks worth keeping running (the bureau or the district)."""
    scenario = scenario_for(request.user, pk)
    picks = rank_scenario(actor=request.user, scenario_id=scenario.pk)
    if picks:
        messages.success(
            request,
            ngettext("%(n)s pick ranked.", "%(n)s picks ranked.", len(picks)) % {"n": len(picks)},
        )
    else:
        messages.info(request, _("Keeping no shut supplier running would avoid any loss."))
    return _back(request, scenario)


@login_required
@require_POST
def invite(request: AuthedRequest, pk: int, enterprise: int) -> HttpResponse:
    """Invite a ranked enterprise to apply for the whitelist, with its pick's reason."""
    scenario = scenario_for(request.user, pk)
    subject = get_for(Enterprise.objects.select_related("industry"), request.user, enterprise)
    pick = scenario.picks.filter(enterprise=subject).first()
    if pick is None:
        raise NotFound(_("This enterprise is not ranked in the scenario."))
    whitelist_invitations.invite_application(
        actor=request.user,
        enterprise_id=subject.pk,
        chain=request.POST.get("chain", "").strip() or chain_name(request.user, subject),
        # The liaison reads the invitation and may not read the scenario: no other enterprise
        # is named in it.
        reason=reason(pick, {}),
        source=_("Scenario: %(name)s") % {"name": scenario.name},
    )
    messages.success(
        request,
        _("%(name)s is invited to apply for the whitelist; its liaison is told.")
        % {"name": subject.name},
    )
    return _back(request, scenario)


@login_required
def picks_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """The ranking as a workbook, with the reasons."""
    scenario = scenario_for(request.user, pk)
    rows = pick_rows(request.user, scenario)
    headers = [
        _("Rank"),
        _("Kind"),
        _("Name"),
        _("Loss avoided (10k CNY)"),
        _("Avoided with the picks above (10k CNY)"),
        _("Enterprises kept from running dry"),
        _("Whitelist"),
        _("Reason"),
    ]

    def name(row: dict[str, Any]) -> str:
        subject = row["enterprise"] or row["park"]
        return str(subject) if subject else _("outside your area")

    return workbook_response(
        "keep-running",
        headers,
        (
            [
                r["pick"].rank,
                _("Park") if r["pick"].park_id else _("Enterprise"),
                name(r),
                r["pick"].avoided,
                r["pick"].cumulative,
                r["pick"].kept_from_dry,
                r["enterprise"].get_whitelist_level_display() if r["enterprise"] else "",
                r["reason"],
            ]
            for r in rows
        ),
        title=_("Keep running"),
    )


def _substitutes(request: AuthedRequest, pk: int, enterprise: int) -> dict[str, Any]:
    scenario = scenario_for(request.user, pk)
    customer = get_for(
        Enterprise.objects.select_related("region", "industry"), request.user, enterprise
    )
    sort = request.GET.get("sort", "spare")
    sort = sort if sort in ("spare", "distance") else "spare"
    report = substitutes_of(request.user, scenario, customer, sort=sort)
    return {"scenario": scenario, "customer": customer, "report": report, "sort": sort}


@login_required
def substitutes(request: AuthedRequest, pk: int, enterprise: int) -> HttpResponse:
    """Who could supply a customer that runs dry, by the sectors it runs short of."""
    return render(request, "chains/keep_substitutes.html", _substitutes(request, pk, enterprise))


@login_required
def substitutes_export(request: AuthedRequest, pk: int, enterprise: int) -> HttpResponse:
    context = _substitutes(request, pk, enterprise)
    headers = [
        _("Input sector"),
        _("Runs out first"),
        _("Supplier"),
        _("Unified social credit code"),
        _("Region"),
        _("Distance"),
        _("Spare output (10k CNY a day)"),
        _("Production while the customer is dry"),
        _("Supplies it already"),
        _("Whitelist"),
    ]
    return workbook_response(
        "substitutes",
        headers,
        (
            [
                str(block.sector),
                block.scarce,
                row.enterprise.name,
                row.enterprise.uscc,
                str(row.enterprise.region),
                row.distance_label,
                row.spare,
                row.busiest,
                row.supplier,
                row.enterprise.get_whitelist_level_display(),
            ]
            for block in context["report"].sectors
            for row in block.rows
        ),
        title=_("Substitutes"),
    )
