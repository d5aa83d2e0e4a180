"""API of "my work": what the caller covers today and how it stands."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema

from keepline.service.api.coverage import CoverageOut
from keepline.service.api.projects import KeyProjectOut
from keepline.service.models import Visit, VisitStatus
from keepline.service.selectors.mine import my_work

router = Router(tags=["service"])


class MineProblemOut(Schema):
    id: int = Field(examples=[17])
    title: str = Field(examples=["原料运输车辆无法进入园区"])
    status: str = Field(examples=["accepted"])
    due: dt.datetime | None = Field(None, examples=["2022-09-15T17:00:00+08:00"])
    near: bool = Field(examples=[False])
    overdue: bool = Field(examples=[False])


class MineVisitOut(Schema):
    id: int = Field(examples=[5])
    visitor: str = Field(examples=["commissioner"])
    planned_for: dt.date | None = Field(None, examples=["2022-09-20"])
    visited_at: dt.datetime | None = Field(None, examples=[None])


class MineEnterpriseOut(Schema):
    id: int = Field(examples=[42])
    name: str = Field(examples=["江阳测试酒业有限公司"])
    uscc: str = Field(examples=["91510502000000001X"])
    mode: str = Field(description="Mode today", examples=["closed_loop"])
    report_in: bool = Field(description="Today's daily report is in", examples=[True])
    problems: list[MineProblemOut]
    next_visit: MineVisitOut | None = None
    last_visit: MineVisitOut | None = None


class MineAreaOut(Schema):
    coverage_id: int = Field(examples=[7])
    area: str = Field(examples=["江阳区"])
    enterprises: int = Field(examples=[120])
    reports_in: int = Field(examples=[98])
    open_problems: int = Field(examples=[6])
    overdue: int = Field(examples=[1])


class MineOut(Schema):
    at: dt.datetime = Field(examples=["2022-09-20T09:00:00+08:00"])
    counts: dict[str, int] = Field(examples=[{"enterprises": 3, "overdue": 1}])
    coverage: list[CoverageOut]
    enterprises: list[MineEnterpriseOut]
    areas: list[MineAreaOut]
    projects: list[KeyProjectOut]


# ---- my work ----------------------------------------------------------------------------------


def _mine_visit(visit: Visit | None) -> dict[str, Any] | None:
    if visit is None:
        return None
    return {
        "id": visit.pk,
        "visitor": visit.visitor.get_username(),
        "planned_for": visit.planned_for,
        "visited_at": visit.visited_at if visit.status == VisitStatus.DONE else None,
    }


@router.get("/service/mine", response=MineOut, summary="What I cover today and how it stands")
def mine(request: Any) -> Any:
    work = my_work(request.auth)
    return {
        "at": work.at,
        "counts": work.counts,
        "coverage": work.coverages,
        "enterprises": [
            {
                "id": w.enterprise.pk,
                "name": w.enterprise.name,
                "uscc": w.enterprise.uscc,
                "mode": w.mode,
                "report_in": w.report_in,
                "problems": [
                    {
                        "id": p.pk,
                        "title": p.title,
                        "status": p.status,
                        "due": state.due,
                        "near": state.near,
                        "overdue": state.overdue,
                    }
                    for p, state in w.problems
                ],
                "next_visit": _mine_visit(w.next_visit),
                "last_visit": _mine_visit(w.last_visit),
            }
            for w in work.enterprises
        ],
        "areas": [
            {
                "coverage_id": a.coverage.pk,
                "area": str(a.coverage.target),
                "enterprises": a.enterprises,
                "reports_in": a.reports_in,
                "open_problems": a.open_problems,
                "overdue": a.overdue,
            }
            for a in work.areas
        ],
        "projects": work.projects,
    }
