"""The role matrix entries of the reports app's pages and API operations.

Own objects are made in Jiangyang (the world's enterprise, OWN-PARK), foreign ones in Yibin; each
is made while its case runs, inside the savepoint the matrix rolls back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from keepline.reports.models import (
    DailyReport,
    ReportChannel,
    ReportDeadline,
    ResumptionTarget,
)
from tests.conftest import World
from tests.matrix import (
    OFFICIALS,
    REGISTRY,
    REGISTRY_CHANGE,
    Case,
    foreign,
    obj,
    object_statuses,
    static,
    statuses,
)

CHASERS = {"admin", "bureau", "district", "park"}
DEADLINE_CHANGE = {"admin", "bureau", "district"}


def _today() -> str:
    return timezone.localdate().isoformat()


def _report(w: World, which: str) -> DailyReport:
    enterprise = w.enterprise if which == "own" else w.foreign_enterprise
    now = timezone.now()
    report, _created = DailyReport.objects.get_or_create(
        enterprise=enterprise,
        date=timezone.localdate() - dt.timedelta(days=1),
        defaults={
            "mode": "normal",
            "staff_on_site": 100,
            "staff_inside": 0,
            "output_value": Decimal(10),
            "capacity_use": Decimal(80),
            "raw_material_days": Decimal(5),
            "finished_goods_days": Decimal(3),
            "via": ReportChannel.FORM,
            "submitted_by_name": "t",
            "submitted_at": now,
            "first_submitted_at": now,
        },
    )
    return report


def _both_reports(w: World) -> None:
    _report(w, "own")
    _report(w, "foreign")


def _deadline(w: World, which: str) -> ReportDeadline:
    region = w.jiangyang if which == "own" else w.yibin_district
    deadline, _created = ReportDeadline.objects.get_or_create(
        region=region,
        date=timezone.localdate(),
        defaults={
            "due_time": dt.time(16),
            "set_by_name": f"{which}-setter",
            "set_at": timezone.now(),
        },
    )
    return deadline


def _target(w: World, which: str) -> ResumptionTarget:
    park = w.park if which == "own" else w.foreign_park
    target, _created = ResumptionTarget.objects.get_or_create(
        park=park,
        date=timezone.localdate(),
        defaults={
            "rate": 90,
            "note": f"{which}-target",
            "set_by_name": "t",
            "set_at": timezone.now(),
        },
    )
    return target


def _report_body(w: World, which: str) -> dict[str, Any]:
    return {
        "mode": "closed_loop",
        "staff_on_site": 420,
        "staff_inside": 380,
        "output_value": "152.5",
        "capacity_use": "85",
        "raw_material_days": "12",
        "finished_goods_days": "5",
    }


def _form_body(w: World, which: str) -> dict[str, Any]:
    return _report_body(w, which) | {"date": _today(), "version": 0}


def _each(w: World, make: Any) -> None:
    make(w, "own")
    make(w, "foreign")


def _listing(path: str, make: Any) -> Any:
    """A list address, with own and foreign objects made first so the list can show them."""

    def url(w: World, which: str) -> str:
        _each(w, make)
        return path

    return url


PAGES: dict[str, list[Case]] = {
    "reports:list": [
        Case(
            "get",
            _listing("/reports/", _report),
            statuses(200, REGISTRY),
            shows=obj("enterprise", "name"),
            shows_own_for=REGISTRY,
        )
    ],
    "reports:export": [Case("get", static("/reports/export.xlsx"), statuses(200, REGISTRY))],
    "reports:missing_export": [
        Case("get", static("/reports/missing/export.xlsx"), statuses(200, CHASERS))
    ],
    "reports:deadlines_export": [
        Case("get", static("/reports/deadlines/export.xlsx"), statuses(200, OFFICIALS))
    ],
    "reports:targets_export": [
        Case("get", static("/reports/targets/export.xlsx"), statuses(200, OFFICIALS))
    ],
    "reports:report": [
        Case(
            "get",
            lambda w, which: f"/reports/enterprise/{obj('enterprise')(w, which)}/",
            object_statuses(200, REGISTRY, REGISTRY_CHANGE),
            foreign(200),
        ),
        Case(
            "post",
            lambda w, which: f"/reports/enterprise/{obj('enterprise')(w, which)}/",
            object_statuses(302, REGISTRY, REGISTRY_CHANGE),
            foreign(302),
            data=_form_body,
        ),
    ],
    "reports:missing": [
        Case(
            "get",
            static("/reports/missing/"),
            statuses(200, CHASERS),
            shows=obj("enterprise", "name"),
            shows_own_for=CHASERS,
        )
    ],
    "reports:chase": [
        Case(
            "post",
            lambda w, which: f"/reports/missing/{obj('enterprise')(w, which)}/chase/",
            object_statuses(302, REGISTRY, CHASERS),
            foreign(302),
            data=lambda w, which: {"date": _today()},
        )
    ],
    "reports:chase_all": [
        Case(
            "post",
            static("/reports/missing/chase-all/"),
            statuses(302, CHASERS),
            data=lambda w, which: {"date": _today()},
        )
    ],
    "reports:deadlines": [
        Case(
            "get",
            _listing("/reports/deadlines/", _deadline),
            statuses(200, OFFICIALS),
            shows=lambda w, which: f"{which}-setter",
            shows_own_for=OFFICIALS,
        ),
        # A region outside the form's choices is a form error (400), not a write.
        Case(
            "post",
            static("/reports/deadlines/"),
            statuses(302, DEADLINE_CHANGE),
            statuses(302, {"admin"}) | {"bureau": 400, "district": 400},
            data=lambda w, which: {
                "region": w.jiangyang.code if which == "own" else w.yibin_district.code,
                "date": _today(),
                "due_time": "16:00",
            },
        ),
    ],
    "reports:deadline_remove": [
        Case(
            "post",
            lambda w, which: f"/reports/deadlines/{_deadline(w, which).pk}/remove/",
            object_statuses(302, OFFICIALS, DEADLINE_CHANGE),
            foreign(302),
        )
    ],
    "reports:targets": [
        Case(
            "get",
            _listing("/reports/targets/", _target),
            statuses(200, OFFICIALS),
            shows=lambda w, which: f"{which}-target",
            shows_own_for=OFFICIALS,
        ),
        Case(
            "post",
            static("/reports/targets/"),
            statuses(302, CHASERS),
            statuses(302, {"admin"}) | {"bureau": 400, "district": 400, "park": 400},
            data=lambda w, which: {
                "area": f"park:{w.park.code if which == 'own' else w.foreign_park.code}",
                "date": _today(),
                "rate": "90",
                "basis": "count",
            },
        ),
    ],
    "reports:target_remove": [
        Case(
            "post",
            lambda w, which: f"/reports/targets/{_target(w, which).pk}/remove/",
            object_statuses(302, OFFICIALS, CHASERS),
            foreign(302),
        )
    ],
    "reports:figures": [Case("get", static("/reports/figures/"), statuses(200, OFFICIALS))],
    "reports:figure_enterprises": [
        Case(
            "get",
            static("/reports/figures/enterprises/?mode=all"),
            statuses(200, OFFICIALS),
            shows=obj("enterprise", "name"),
            shows_own_for=OFFICIALS,
        )
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/reports": [
        Case(
            "get",
            _listing("/api/reports", _report),
            statuses(200, REGISTRY),
            json=True,
            shows=obj("enterprise", "uscc"),
            shows_own_for=REGISTRY,
        )
    ],
    "GET /api/reports/{report_id}": [
        Case(
            "get",
            lambda w, which: f"/api/reports/{_report(w, which).pk}",
            object_statuses(200, REGISTRY),
            foreign(200),
            json=True,
        )
    ],
    "PUT /api/enterprises/{enterprise_id}/reports/{date}": [
        Case(
            "put",
            lambda w, which: f"/api/enterprises/{obj('enterprise')(w, which)}/reports/{_today()}",
            object_statuses(201, REGISTRY, REGISTRY_CHANGE),
            foreign(201),
            data=_report_body,
            json=True,
        )
    ],
    "GET /api/reports/missing": [
        Case(
            "get",
            static("/api/reports/missing"),
            statuses(200, CHASERS),
            json=True,
            shows=obj("enterprise", "uscc"),
            shows_own_for=CHASERS,
        )
    ],
    "POST /api/reports/chases": [
        Case(
            "post",
            static("/api/reports/chases"),
            object_statuses(200, REGISTRY, CHASERS),
            foreign(200),
            data=lambda w, which: {
                "date": _today(),
                "enterprise_ids": [obj("enterprise")(w, which)],
            },
            json=True,
        )
    ],
    "GET /api/reports/deadlines": [
        Case(
            "get",
            _listing("/api/reports/deadlines", _deadline),
            statuses(200, OFFICIALS),
            json=True,
            shows=lambda w, which: f"{which}-setter",
            shows_own_for=OFFICIALS,
        )
    ],
    "PUT /api/reports/deadlines": [
        Case(
            "put",
            static("/api/reports/deadlines"),
            statuses(200, DEADLINE_CHANGE),
            statuses(200, {"admin"}),
            data=lambda w, which: {
                "region": w.jiangyang.code if which == "own" else w.yibin_district.code,
                "date": _today(),
                "due_time": "16:00",
            },
            json=True,
        )
    ],
    "DELETE /api/reports/deadlines/{deadline_id}": [
        Case(
            "delete",
            lambda w, which: f"/api/reports/deadlines/{_deadline(w, which).pk}",
            object_statuses(204, OFFICIALS, DEADLINE_CHANGE),
            foreign(204),
            json=True,
        )
    ],
    "GET /api/targets": [
        Case(
            "get",
            _listing("/api/targets", _target),
            statuses(200, OFFICIALS),
            json=True,
            shows=lambda w, which: f"{which}-target",
            shows_own_for=OFFICIALS,
        )
    ],
    "PUT /api/targets": [
        Case(
            "put",
            static("/api/targets"),
            statuses(200, CHASERS),
            statuses(200, {"admin"}),
            data=lambda w, which: {
                "park": w.park.code if which == "own" else w.foreign_park.code,
                "date": _today(),
                "rate": "90",
            },
            json=True,
        )
    ],
    "DELETE /api/targets/{target_id}": [
        Case(
            "delete",
            lambda w, which: f"/api/targets/{_target(w, which).pk}",
            object_statuses(204, OFFICIALS, CHASERS),
            foreign(204),
            json=True,
        )
    ],
    "GET /api/figures": [
        Case("get", static("/api/figures"), statuses(200, OFFICIALS), json=True),
    ],
    "GET /api/figures/enterprises": [
        Case(
            "get",
            static("/api/figures/enterprises?mode=all"),
            statuses(200, OFFICIALS),
            json=True,
            shows=obj("enterprise", "uscc"),
            shows_own_for=OFFICIALS,
        )
    ],
}
