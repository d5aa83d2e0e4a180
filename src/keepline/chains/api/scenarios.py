"""API of the lockdown scenarios: the same services, selectors and scopes as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import prefetch_related_objects
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.chains.models import Scenario, ScenarioResult
from keepline.chains.selectors.results import figures, flagged, result_listing
from keepline.chains.selectors.scenarios import SCENARIOS, compare, day_date, get_scenario
from keepline.chains.services.runs import run_scenario, set_recovery
from keepline.chains.services.scenarios import (
    add_area,
    create_scenario,
    delete_scenario,
    remove_area,
    update_scenario,
)
from keepline.chains.services.scenarios import scenario_from_measures as create_from_measures
from keepline.core.scopes import require_role

router = Router(tags=["chains"])


# ---- schemas ----------------------------------------------------------------------------------


class AreaIn(Schema):
    region_id: int | None = Field(None, description="A region shut (or park_id)", examples=[3])
    park_id: int | None = Field(None, description="A park shut (or region_id)", examples=[None])
    starts_on: dt.date = Field(description="First day shut", examples=["2022-09-01"])
    ends_on: dt.date = Field(description="Last day shut (inclusive)", examples=["2022-09-20"])
    strictness: int = Field(
        3, description="1 restrictions, 2 static management, 3 full lockdown", examples=[3]
    )


class AreaOut(Schema):
    id: int = Field(examples=[7])
    region: str | None = Field(None, description="Region code", examples=["510502"])
    park: str | None = Field(None, description="Park code", examples=[None])
    name: str = Field(examples=["江阳区"])
    starts_on: dt.date = Field(examples=["2022-09-01"])
    ends_on: dt.date = Field(examples=["2022-09-20"])
    strictness: int = Field(examples=[3])
    measure_id: int | None = Field(
        None, description="The measure it was copied from", examples=[None]
    )


class ScenarioOut(Schema):
    id: int = Field(examples=[4])
    name: str = Field(examples=["泸州2022年9月静默管理"])
    region: str = Field(description="Region code of the keeper", examples=["510500"])
    source: str = Field(description="measures or what_if", examples=["what_if"])
    status: str = Field(description="draft, done or stale", examples=["done"])
    starts_on: dt.date = Field(examples=["2022-09-01"])
    days: int = Field(examples=[60])
    closed_loop_share: Decimal = Field(examples=["0.70"])
    semi_closed_share: Decimal = Field(examples=["0.50"])
    headroom: Decimal = Field(examples=["0.10"])
    note: str = Field(examples=[""])
    created_by: str = Field(examples=["bureau"])
    ran_by: str = Field(examples=["bureau"])
    ran_at: dt.datetime | None = Field(None, examples=["2022-09-02T09:00:00+08:00"])
    run_seconds: float | None = Field(None, examples=[0.42])
    enterprises: int = Field(description="Enterprises modelled in the last run", examples=[1021])
    links: int = Field(description="Supply links modelled in the last run", examples=[3480])
    total_loss: Decimal | None = Field(
        None,
        description="Whole network, 10k CNY (not only the reader's area)",
        examples=["8812.40"],
    )
    direct_loss: Decimal | None = Field(None, examples=["6120.00"])
    indirect_loss: Decimal | None = Field(None, examples=["2692.40"])
    at_risk: int | None = Field(None, description="Enterprises running dry", examples=[37])
    version: int = Field(description="Send it back with each change", examples=[2])
    areas: list[AreaOut] = Field(description="The areas shut")

    @staticmethod
    def resolve_region(obj: Scenario) -> str:
        return obj.region.code

    @staticmethod
    def resolve_areas(obj: Scenario) -> list[dict[str, Any]]:
        return [
            {
                "id": a.pk,
                "region": a.region.code if a.region else None,
                "park": a.park.code if a.park else None,
                "name": str(a),
                "starts_on": a.starts_on,
                "ends_on": a.ends_on,
                "strictness": a.strictness,
                "measure_id": a.measure_id,
            }
            for a in obj.areas.all()
        ]


class ScenarioIn(Schema):
    name: str = Field(examples=["江阳区封控14天"])
    region_id: int = Field(description="The region keeping the scenario", examples=[2])
    starts_on: dt.date = Field(examples=["2022-09-01"])
    days: int = Field(60, description="1 to 120", examples=[60])
    areas: list[AreaIn] = Field(description="At least one area shut")
    closed_loop_share: Decimal | None = Field(None, examples=["0.70"])
    semi_closed_share: Decimal | None = Field(None, examples=["0.50"])
    headroom: Decimal | None = Field(None, examples=["0.10"])
    note: str = Field("", examples=[""])


class FromMeasuresIn(Schema):
    name: str = Field(examples=["泸州9月静默管理"])
    region_id: int = Field(examples=[2])
    starts_on: dt.date = Field(examples=["2022-09-01"])
    days: int = Field(60, examples=[60])


class ScenarioChangeIn(Schema):
    version: int = Field(examples=[1])
    name: str | None = Field(None, examples=[None])
    note: str | None = Field(None, examples=[None])
    closed_loop_share: Decimal | None = Field(None, examples=[None])
    semi_closed_share: Decimal | None = Field(None, examples=[None])
    headroom: Decimal | None = Field(None, examples=["0.20"])
    areas: list[AreaIn] | None = Field(
        None, description="All the areas, replacing them", examples=[None]
    )


class NewAreaIn(AreaIn):
    version: int = Field(description="The scenario's version", examples=[1])


class ResultOut(Schema):
    enterprise_id: int = Field(examples=[42])
    enterprise: str = Field(alias="enterprise.name", examples=["纳溪酒业有限公司"])
    uscc: str = Field(alias="enterprise.uscc", examples=["91510503MA62X5QF2B"])
    region: str = Field(alias="enterprise.region.code", examples=["510503"])
    in_area: bool = Field(description="Inside the shut area: its loss is direct", examples=[False])
    lost: Decimal = Field(description="10k CNY", examples=["188.37"])
    dry_day: int | None = Field(None, description="First day an input runs out", examples=[7])
    dry_on: dt.date | None = Field(None, examples=["2022-09-07"])
    survives_days: int | None = Field(None, description="Time to survive", examples=[6])
    scarce: str | None = Field(None, description="Industry code of the input", examples=["30"])
    lowest: Decimal = Field(examples=["0.000"])
    recover_days: int | None = Field(None, description="Time to recover", examples=[10])
    flagged: bool = Field(description="Runs dry before it can recover", examples=[True])
    ratios: list[float] = Field(description="Production share by day", examples=[[1.0, 0.4]])

    @staticmethod
    def resolve_dry_on(obj: ScenarioResult) -> dt.date | None:
        return day_date(obj.scenario, obj.dry_day) if obj.dry_day else None

    @staticmethod
    def resolve_scarce(obj: ScenarioResult) -> str | None:
        return obj.scarce.code if obj.scarce else None

    @staticmethod
    def resolve_recover_days(obj: ScenarioResult) -> int | None:
        return getattr(obj, "recover", None)

    @staticmethod
    def resolve_flagged(obj: ScenarioResult) -> bool:
        return flagged(obj)


class SplitOut(Schema):
    key: str = Field(description="District or industry code", examples=["510503"])
    label: str = Field(examples=["纳溪区"])
    direct: Decimal = Field(examples=["0.00"])
    indirect: Decimal = Field(examples=["356.43"])
    total: Decimal = Field(examples=["356.43"])
    enterprises: int = Field(examples=[2])
    at_risk: int = Field(examples=[2])


class IndexOut(Schema):
    day: int = Field(examples=[1])
    date: dt.date = Field(examples=["2022-09-01"])
    index: float = Field(description="Network production, share of normal", examples=[0.97])


class FiguresOut(Schema):
    scenario_id: int = Field(examples=[4])
    status: str = Field(examples=["done"])
    ran_at: dt.datetime | None = Field(None, examples=["2022-09-02T09:00:00+08:00"])
    whole_network: bool = Field(
        description="False: the splits cover only the enterprises the reader may see",
        examples=[True],
    )
    visible_loss: Decimal = Field(examples=["884.42"])
    visible_at_risk: int = Field(examples=[2])
    by_region: list[SplitOut] = Field(description="Loss by district, largest first")
    by_industry: list[SplitOut] = Field(description="Loss by industry, largest first")
    index: list[IndexOut] = Field(description="The whole network's production by day")


class CompareIn(Schema):
    ids: list[int] = Field(description="2 to 4 scenario ids", examples=[[4, 5]])


class RegionLossOut(Schema):
    region: str = Field(examples=["510503"])
    name: str = Field(examples=["纳溪区"])
    lost: list[Decimal] = Field(
        description="In each scenario, in order", examples=[["1.00", "2.00"]]
    )


class DifferenceOut(Schema):
    enterprise_id: int = Field(examples=[42])
    enterprise: str = Field(examples=["纳溪酒业有限公司"])
    lost: list[Decimal | None] = Field(examples=[["188.37", None]])
    dry_day: list[int | None] = Field(examples=[[7, None]])
    spread: Decimal = Field(examples=["188.37"])


class CompareOut(Schema):
    scenarios: list[ScenarioOut] = Field(description="In the order asked")
    by_region: list[RegionLossOut] = Field(description="Loss by district in each scenario")
    differences: list[DifferenceOut] = Field(description="Enterprises that fare most differently")


class RecoveryIn(Schema):
    enterprise_id: int = Field(examples=[42])
    days: int | None = Field(description="Time to recover in days; null clears it", examples=[14])


class RecoveryOut(Schema):
    enterprise_id: int = Field(examples=[42])
    days: int | None = Field(examples=[14])


# ---- endpoints --------------------------------------------------------------------------------


# The areas each scenario answers with, read together for a whole page of scenarios.
AREAS = ("areas__region", "areas__park")


def _scenario(request: Any, scenario_id: int) -> Scenario:
    scenario = get_scenario(request.auth, scenario_id)
    prefetch_related_objects([scenario], *AREAS)
    return scenario


@router.get(
    "/chains/scenarios",
    response=list[ScenarioOut],
    summary="Lockdown scenarios",
    openapi_extra=SCENARIOS.openapi(),
)
@paginate(PageNumberPagination, page_size=50)
def scenario_list(request: Any) -> Any:
    require_role(request.auth, Scenario)
    return SCENARIOS.rows(request.auth, request.GET).prefetch_related(*AREAS)


@router.post("/chains/scenarios", response=ScenarioOut, summary="Create a what-if scenario")
def scenario_create(request: Any, payload: ScenarioIn) -> Any:
    data = payload.dict()
    created = create_scenario(actor=request.auth, **data)
    return _scenario(request, created.pk)


@router.post(
    "/chains/scenarios/from-measures",
    response=ScenarioOut,
    summary="Create a scenario from the control measures in force",
)
def scenario_from_measures(request: Any, payload: FromMeasuresIn) -> Any:
    created = create_from_measures(actor=request.auth, **payload.dict())
    return _scenario(request, created.pk)


@router.get("/chains/scenarios/compare", response=CompareOut, summary="Compare 2–4 scenarios")
def scenario_compare(request: Any, filters: Query[CompareIn]) -> Any:
    require_role(request.auth, Scenario)
    comparison = compare(request.auth, filters.ids)
    prefetch_related_objects(comparison.scenarios, *AREAS)
    return {
        "scenarios": comparison.scenarios,
        "by_region": [{"region": c, "name": n, "lost": v} for c, n, v in comparison.regions],
        "differences": [
            {
                "enterprise_id": d.enterprise.pk,
                "enterprise": d.enterprise.name,
                "lost": d.lost,
                "dry_day": d.dry_day,
                "spread": d.spread,
            }
            for d in comparison.differences
        ],
    }


@router.get("/chains/scenarios/{scenario_id}", response=ScenarioOut, summary="One scenario")
def scenario_detail(request: Any, scenario_id: int) -> Any:
    return _scenario(request, scenario_id)


@router.patch("/chains/scenarios/{scenario_id}", response=ScenarioOut, summary="Change a scenario")
def scenario_change(request: Any, scenario_id: int, payload: ScenarioChangeIn) -> Any:
    data = payload.dict()
    update_scenario(actor=request.auth, scenario_id=scenario_id, **data)
    return _scenario(request, scenario_id)


@router.delete("/chains/scenarios/{scenario_id}", response={204: None}, summary="Delete a scenario")
def scenario_delete(request: Any, scenario_id: int, version: int) -> Any:
    delete_scenario(actor=request.auth, scenario_id=scenario_id, version=version)
    return Status(204, None)


@router.post(
    "/chains/scenarios/{scenario_id}/areas", response=ScenarioOut, summary="Add an area shut"
)
def area_add(request: Any, scenario_id: int, payload: NewAreaIn) -> Any:
    data = payload.dict()
    version = data.pop("version")
    add_area(actor=request.auth, scenario_id=scenario_id, version=version, area=data)
    return _scenario(request, scenario_id)


@router.delete(
    "/chains/scenarios/{scenario_id}/areas/{area_id}",
    response=ScenarioOut,
    summary="Remove an area",
)
def area_remove(request: Any, scenario_id: int, area_id: int, version: int) -> Any:
    remove_area(actor=request.auth, scenario_id=scenario_id, version=version, area_id=area_id)
    return _scenario(request, scenario_id)


@router.post(
    "/chains/scenarios/{scenario_id}/run", response=ScenarioOut, summary="Run the scenario now"
)
def scenario_run(request: Any, scenario_id: int) -> Any:
    run_scenario(actor=request.auth, scenario_id=scenario_id)
    return _scenario(request, scenario_id)


@router.get(
    "/chains/scenarios/{scenario_id}/results",
    response=list[ResultOut],
    summary="Each enterprise's outcome (those the reader may see)",
    # The filters and sorts of every scenario's declaration are the same.
    openapi_extra=result_listing(Scenario(pk=0, name="")).openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def scenario_results(request: Any, scenario_id: int) -> Any:
    scenario = _scenario(request, scenario_id)
    return result_listing(scenario).rows(request.auth, request.GET)


@router.get(
    "/chains/scenarios/{scenario_id}/figures",
    response=FiguresOut,
    summary="Loss by district and industry, direct and indirect; the production index",
    url_name="chains_scenario_figures",
)
def scenario_figures(request: Any, scenario_id: int) -> Any:
    scenario = _scenario(request, scenario_id)
    return figures(request.auth, scenario).as_dict()


@router.post(
    "/chains/scenarios/{scenario_id}/recovery",
    response=RecoveryOut,
    summary="Enter or clear an enterprise's time to recover",
)
def scenario_recovery(request: Any, scenario_id: int, payload: RecoveryIn) -> Any:
    set_recovery(
        actor=request.auth,
        scenario_id=scenario_id,
        enterprise_id=payload.enterprise_id,
        days=payload.days,
    )
    return {"enterprise_id": payload.enterprise_id, "days": payload.days}
