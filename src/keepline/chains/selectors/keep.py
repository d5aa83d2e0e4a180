"""Reads of the keep-running ranking: the picks with the reason for each in words and their
whitelist status, and the substitutes of a customer that runs dry. Only enterprises the
reader sees are named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keepline.chains import inputs as chain_inputs
from keepline.chains.models import ChainMember, KeepRunningPick, Scenario, SupplyLink
from keepline.chains.propagation import simulate
from keepline.chains.selectors.network import city_code, district_code
from keepline.core.scopes import Actor, get_for, visible
from keepline.enterprises.models import Enterprise, Industry
from keepline.places.models import Park
from keepline.whitelist import rules as whitelist_rules
from keepline.whitelist.models import WhitelistApplication, WhitelistInvitation
from keepline.whitelist.selectors import invitations as whitelist_invitations

CENT = Decimal("0.01")


def money(value: float) -> Decimal:
    """万元 to the fen, rounded half up."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


# ---- substitutes ------------------------------------------------------------------------------


@dataclass
class Substitute:
    """An enterprise outside the shut area that could supply the sector, with its spare output."""

    enterprise: Enterprise
    spare: Decimal  # 万元 a day it could still add
    busiest: float  # its highest production ratio on the days the customer is short
    distance: int  # 0 same district, 1 same city, 2 elsewhere
    supplier: bool  # supplies this customer already

    @property
    def distance_label(self) -> str:
        return [_("same district"), _("same city"), _("elsewhere")][self.distance]


@dataclass
class SectorSubstitutes:
    """A sector the customer runs short of, and who could fill the gap."""

    sector: Industry
    scarce: bool  # the input that runs out first
    rows: list[Substitute]
    hidden: int  # suppliers with spare output that the reader may not see


@dataclass
class SubstituteReport:
    """For a customer in a scenario: the day it runs dry and its substitutes by sector."""

    dry_day: int | None
    sectors: list[SectorSubstitutes]
    as_of: dt.datetime | None


def substitutes(
    actor: Actor, scenario: Scenario, enterprise: Enterprise, *, sort: str = "spare"
) -> SubstituteReport:
    """Suppliers of the sectors a customer runs short of (the scarce one first): enterprises of
    that industry, or that supply it to anyone, outside the shut area and with spare output in
    the scenario — (1 + headroom − its highest production ratio on the days the customer runs
    dry) × normal daily output — sorted by
    that spare output and then by distance (or by distance first); only those the reader sees."""
    si = chain_inputs.build(scenario)
    at = si.position()
    j = at.get(enterprise.pk)
    if j is None:
        return SubstituteReport(None, [], scenario.ran_at)
    result = simulate(si.network, si.capacity)
    dry = int(result.dry_day[j])
    if dry == 0:
        return SubstituteReport(None, [], scenario.ran_at)
    in_area = si.in_area
    lowest = result.ratio.min(axis=0)
    # What a supplier can add while the customer is dry: what it is not already making then.
    busiest = result.ratio[dry - 1 :].max(axis=0)
    headroom = float(scenario.headroom)
    spare = (1.0 + headroom - busiest) * si.network.output

    net = si.network
    mine = net.customer == j
    short: list[int] = []
    scarce = int(result.scarce[j])
    if scarce >= 0:
        short.append(scarce)
    # Other inputs whose suppliers are shut or fall below normal output in the scenario.
    for s in sorted(set(net.sector[mine].tolist())):
        links = mine & (net.sector == s)
        if s not in short and (lowest[net.supplier[links]] < 1.0 - 1e-9).any():
            short.append(int(s))
    if not short:
        return SubstituteReport(dry, [], scenario.ran_at)

    sector_of = {s.pk: s for s in Industry.objects.filter(pk__in=short)}
    # The modelled enterprises are those with an output value (see inputs.build).
    modelled = Enterprise.objects.filter(annual_output__gt=0)
    facts = dict(modelled.values_list("pk", "industry_id"))
    supplying = set(
        SupplyLink.objects.filter(sector_id__in=short).values_list("supplier_id", "sector_id")
    )
    here_district = district_code(enterprise.region.path)
    here_city = city_code(enterprise.region.path)
    sectors: list[SectorSubstitutes] = []
    for s in short:
        current = set(net.supplier[mine & (net.sector == s)].tolist())
        found = [
            i
            for i, pk in enumerate(si.ids.tolist())
            if i != j
            and not in_area[i]
            and spare[i] > 0.005
            and (facts.get(pk) == s or (pk, s) in supplying)
        ]
        seen = {
            e.pk: e
            for e in visible(
                Enterprise.objects.filter(pk__in=[int(si.ids[i]) for i in found]), actor
            ).select_related("region")
        }
        rows = []
        for i in found:
            e = seen.get(int(si.ids[i]))
            if e is None:
                continue
            district, city = district_code(e.region.path), city_code(e.region.path)
            distance = 0 if district == here_district else 1 if city == here_city else 2
            rows.append(
                Substitute(
                    enterprise=e,
                    spare=money(float(spare[i])),
                    busiest=round(float(busiest[i]), 3),
                    distance=distance,
                    supplier=i in current,
                )
            )
        if sort == "distance":
            rows.sort(key=lambda r: (r.distance, -r.spare, r.enterprise.name))
        else:
            rows.sort(key=lambda r: (-r.spare, r.distance, r.enterprise.name))
        sectors.append(
            SectorSubstitutes(
                sector=sector_of[s], scarce=s == scarce, rows=rows, hidden=len(found) - len(rows)
            )
        )
    return SubstituteReport(dry, sectors, scenario.ran_at)


# ---- reading the picks ------------------------------------------------------------------------


def scenario_for(actor: Actor, scenario_id: int) -> Scenario:
    """The scenario, if the actor may see it (else 404)."""
    return get_for(Scenario.objects.select_related("region"), actor, scenario_id)


def picks(actor: Actor, scenario: Scenario) -> list[KeepRunningPick]:
    """The scenario's stored ranking, for a reader of the scenario."""
    return list(
        visible(KeepRunningPick.objects.filter(scenario=scenario), actor)
        .select_related("enterprise__region", "park__region")
        .order_by("rank")
    )


def visible_names(actor: Actor, ids: set[int]) -> dict[int, Enterprise]:
    """The enterprises among `ids` the reader may see: only those are named."""
    qs = Enterprise.objects.filter(pk__in=ids).select_related("region", "park")
    return {e.pk: e for e in visible(qs, actor)}


def visible_parks(actor: Actor, ids: set[int]) -> dict[int, Park]:
    return {p.pk: p for p in visible(Park.objects.filter(pk__in=ids), actor)}


# ---- the picks in words -----------------------------------------------------------------------

# Enterprises named as examples in a pick's reason.
EXAMPLES = 2


def _amount(value: Decimal) -> str:
    """万元 to one decimal, rounded half up like the page's figures."""
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


def _named(entry: dict[str, Any], names: dict[int, Enterprise]) -> str:
    enterprise = names[entry["id"]]
    if entry.get("dry_day_before"):
        return _("%(name)s (would run dry on day %(day)s)") % {
            "name": enterprise.name,
            "day": entry["dry_day_before"],
        }
    return enterprise.name


def reason(pick: KeepRunningPick, names: dict[int, Enterprise]) -> str:
    """Why the pick is ranked, in words; only enterprises the reader sees are named."""
    rescued = [e for e in pick.detail if e.get("dry_day_before") and not e.get("dry_day_after")]
    examples = [_named(e, names) for e in (rescued or pick.detail) if e["id"] in names]
    examples = examples[:EXAMPLES]
    if pick.kept_from_dry:
        text = ngettext(
            "Kept in a closed loop, it keeps %(n)s enterprise from running dry",
            "Kept in a closed loop, it keeps %(n)s enterprises from running dry",
            pick.kept_from_dry,
        ) % {"n": pick.kept_from_dry}
    else:
        text = _("Kept in a closed loop, it lets its customers and suppliers produce more")
    if len(examples) == 2:
        text += _(", e.g. %(first)s and %(second)s") % {
            "first": examples[0],
            "second": examples[1],
        }
    elif examples:
        text += _(", e.g. %(name)s") % {"name": examples[0]}
    if pick.rank > 1:
        text += _("; avoids %(avoided)s 万元, %(total)s 万元 with the picks above.") % {
            "avoided": _amount(pick.avoided),
            "total": _amount(pick.cumulative),
        }
    else:
        text += _("; avoids %(avoided)s 万元.") % {"avoided": _amount(pick.avoided)}
    return text


def chain_name(actor: Actor, enterprise: Enterprise) -> str:
    """The chain an enterprise keeps running: its industry chain (one the actor sees), else its
    industry's name."""
    members = ChainMember.objects.filter(enterprise=enterprise).select_related("chain")
    member = visible(members, actor).order_by("chain__name").first()
    if member is not None:
        return member.chain.name[:50]
    return enterprise.industry.name[:50]


def _whitelist_state(
    actor: Actor,
    enterprise: Enterprise,
    invitation: WhitelistInvitation | None,
    application: WhitelistApplication | None,
) -> dict[str, Any]:
    return {
        "level": enterprise.whitelist_level,
        "invitation": invitation,
        "application": application,
        "may_invite": not enterprise.whitelist_level
        and invitation is None
        and application is None
        and whitelist_rules.may_invite(actor, enterprise),
    }


def pick_rows(actor: Actor, scenario: Scenario) -> list[dict[str, Any]]:
    """Each pick with its name (if the reader sees it), reason and whitelist status."""
    ranked = picks(actor, scenario)
    ids = {p.enterprise_id for p in ranked if p.enterprise_id}
    ids |= {e["id"] for p in ranked for e in p.detail}
    names = visible_names(actor, ids)
    parks = visible_parks(actor, {p.park_id for p in ranked if p.park_id})
    shown = [names[p.enterprise_id] for p in ranked if p.enterprise_id in names]
    invited, applying = whitelist_invitations.open_states(shown)
    rows = []
    for pick in ranked:
        enterprise = names.get(pick.enterprise_id) if pick.enterprise_id else None
        state = None
        if enterprise is not None:
            state = _whitelist_state(
                actor, enterprise, invited.get(enterprise.pk), applying.get(enterprise.pk)
            )
        rows.append(
            {
                "pick": pick,
                "enterprise": enterprise,
                "park": parks.get(pick.park_id) if pick.park_id else None,
                "reason": reason(pick, names),
                "whitelist": state,
            }
        )
    return rows
