"""API of the keep-running ranking and of the substitutes: the same services and selectors as
the pages; enterprises the caller may not see are not named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema

from keepline.chains.models import Scenario
from keepline.chains.selectors.keep import pick_rows, scenario_for, substitutes, visible_names
from keepline.chains.services.keep import rank_scenario
from keepline.core.scopes import Actor, get_for
from keepline.enterprises.models import Enterprise

router = Router(tags=["chains"])


class GainOut(Schema):
    id: int = Field(description="Enterprise id", examples=[311])
    name: str = Field(examples=["泸州示例包装有限公司"])
    avoided: float = Field(description="Its loss avoided by the pick, 万元", examples=[812.4])
    dry_day_before: int | None = Field(
        None, description="Day it ran dry before the pick", examples=[9]
    )
    dry_day_after: int | None = Field(None, description="…and after (none: never)", examples=[None])


class PickOut(Schema):
    rank: int = Field(examples=[1])
    kind: str = Field(description="enterprise | park", examples=["enterprise"])
    enterprise_id: int | None = Field(None, examples=[57])
    park_id: int | None = Field(None, examples=[None])
    name: str | None = Field(
        None, description="None when outside the caller's area", examples=["泸州示例玻璃有限公司"]
    )
    avoided: Decimal = Field(
        description="Further loss this pick avoids, 万元", examples=["3456.70"]
    )
    cumulative: Decimal = Field(
        description="Loss avoided by this pick and those above, 万元", examples=["12000.00"]
    )
    kept_from_dry: int = Field(
        description="Enterprises that ran dry before this pick and no longer do", examples=[12]
    )
    reason: str = Field(
        examples=["Kept in a closed loop, it keeps 12 enterprises from running dry; avoids …"]
    )
    whitelist_level: str | None = Field(
        None, description="city | province | national | empty", examples=[""]
    )
    gains: list[GainOut] = Field(description="The enterprises gaining most", examples=[[]])


class RankIn(Schema):
    limit: int = Field(10, description="How many picks (1–50)", examples=[10])


class SubstituteOut(Schema):
    enterprise_id: int = Field(examples=[402])
    name: str = Field(examples=["宜宾示例玻璃制品有限公司"])
    region: str = Field(description="Region code", examples=["510521"])
    spare: Decimal = Field(description="Output it could still add, 万元 a day", examples=["3.29"])
    busiest: float = Field(
        description="Its highest production ratio on the days the customer runs dry",
        examples=[1.0],
    )
    distance: str = Field(
        description="same_district | same_city | elsewhere", examples=["same_city"]
    )
    supplier: bool = Field(description="Supplies this customer already", examples=[False])
    whitelist_level: str = Field(examples=[""])


class SectorOut(Schema):
    sector: str = Field(description="Industry code of the input", examples=["30"])
    scarce: bool = Field(description="The input that runs out first", examples=[True])
    hidden: int = Field(description="Substitutes outside the caller's area", examples=[0])
    substitutes: list[SubstituteOut]


class SubstitutesOut(Schema):
    enterprise_id: int = Field(examples=[57])
    dry_day: int | None = Field(
        None, description="Day it runs dry; none: it does not", examples=[9]
    )
    as_of: dt.datetime | None = Field(None, examples=["2022-09-06T10:00:00+08:00"])
    sectors: list[SectorOut]


class SubstitutesFilterIn(Schema):
    sort: str = Field("spare", description="spare | distance", examples=["spare"])


DISTANCES = ["same_district", "same_city", "elsewhere"]


def _picks(actor: Actor, scenario: Scenario) -> list[dict[str, Any]]:
    out = []
    rows = pick_rows(actor, scenario)
    names = visible_names(actor, {e["id"] for r in rows for e in r["pick"].detail})
    for row in rows:
        pick = row["pick"]
        subject = row["enterprise"] or row["park"]
        out.append(
            {
                "rank": pick.rank,
                "kind": "park" if pick.park_id else "enterprise",
                "enterprise_id": pick.enterprise_id if row["enterprise"] else None,
                "park_id": pick.park_id if row["park"] else None,
                "name": subject.name if subject else None,
                "avoided": pick.avoided,
                "cumulative": pick.cumulative,
                "kept_from_dry": pick.kept_from_dry,
                "reason": row["reason"],
                "whitelist_level": row["enterprise"].whitelist_level if row["enterprise"] else None,
                "gains": [
                    {**e, "name": names[e["id"]].name} for e in pick.detail if e["id"] in names
                ],
            }
        )
    return out


@router.get(
    "/chains/scenarios/{scenario_id}/picks",
    response=list[PickOut],
    summary="The scenario's keep-running ranking, with the reasons",
)
def pick_list(request: Any, scenario_id: int) -> Any:
    return _picks(request.auth, scenario_for(request.auth, scenario_id))


@router.post(
    "/chains/scenarios/{scenario_id}/rank",
    response=list[PickOut],
    summary="Rank greedily the enterprises and parks worth keeping running (replaces the last)",
)
def pick_rank(request: Any, scenario_id: int, payload: RankIn) -> Any:
    rank_scenario(actor=request.auth, scenario_id=scenario_id, limit=payload.limit)
    return _picks(request.auth, scenario_for(request.auth, scenario_id))


@router.get(
    "/chains/scenarios/{scenario_id}/enterprises/{enterprise_id}/substitutes",
    response=SubstitutesOut,
    summary="Substitute suppliers for a customer that runs dry in the scenario",
)
def substitute_list(
    request: Any, scenario_id: int, enterprise_id: int, filters: Query[SubstitutesFilterIn]
) -> Any:
    scenario = scenario_for(request.auth, scenario_id)
    customer = get_for(Enterprise.objects.select_related("region"), request.auth, enterprise_id)
    sort = filters.sort if filters.sort in ("spare", "distance") else "spare"
    report = substitutes(request.auth, scenario, customer, sort=sort)
    return {
        "enterprise_id": customer.pk,
        "dry_day": report.dry_day,
        "as_of": report.as_of,
        "sectors": [
            {
                "sector": block.sector.code,
                "scarce": block.scarce,
                "hidden": block.hidden,
                "substitutes": [
                    {
                        "enterprise_id": r.enterprise.pk,
                        "name": r.enterprise.name,
                        "region": r.enterprise.region.code,
                        "spare": r.spare,
                        "busiest": r.busiest,
                        "distance": DISTANCES[r.distance],
                        "supplier": r.supplier,
                        "whitelist_level": r.enterprise.whitelist_level,
                    }
                    for r in block.rows
                ],
            }
            for block in report.sectors
        ],
    }
