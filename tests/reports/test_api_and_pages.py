"""The API and the pages: what a liaison, an official and a dashboard get back."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from openpyxl import load_workbook

from keepline.bubble.models import EnterpriseMode
from keepline.core.scopes import SystemActor
from keepline.reports import services
from keepline.reports.models import DailyReport, ReportChase
from tests.conftest import World
from tests.reports.conftest import at, enterprises, switch

BODY = {
    "mode": "closed_loop",
    "staff_on_site": 420,
    "staff_inside": 380,
    "output_value": "152.5",
    "capacity_use": "85",
    "raw_material_days": "12",
    "finished_goods_days": "5",
}


def put(client: Any, enterprise: int, day: str, **body: Any) -> Any:
    return client.put(
        f"/api/enterprises/{enterprise}/reports/{day}",
        data=BODY | body,
        content_type="application/json",
    )


def test_api_files_corrects_and_refuses_stale_or_bad_reports(world: World) -> None:
    client = world.client("liaison")
    first = put(client, world.enterprise.pk, "2022-09-11")
    assert first.status_code == 201 and first.json()["version"] == 1
    assert first.json()["via"] == "api"
    same = put(client, world.enterprise.pk, "2022-09-11")
    assert same.status_code == 200 and same.json()["version"] == 1
    corrected = put(client, world.enterprise.pk, "2022-09-11", staff_on_site=430, version=1)
    assert corrected.status_code == 200 and corrected.json()["version"] == 2
    stale = put(client, world.enterprise.pk, "2022-09-11", staff_on_site=440, version=1)
    assert stale.status_code == 409 and stale.json()["current"]["staff_on_site"] == 430
    bad = put(client, world.enterprise.pk, "2022-09-11", staff_inside=999, capacity_use="151")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"staff_inside", "capacity_use"}
    listed = client.get("/api/reports?date_from=2022-09-11").json()
    assert [r["staff_on_site"] for r in listed["items"]] == [430]
    named = client.get("/api/reports", {"q": world.enterprise.name[1:]}).json()
    assert [r["staff_on_site"] for r in named["items"]] == [430]
    assert client.get("/api/reports", {"q": "no such enterprise"}).json()["items"] == []


def test_api_missing_and_chase_all(world: World) -> None:
    others = enterprises(2, world.jiangyang)
    client = world.client("district")
    missing = client.get("/api/reports/missing?date=2022-09-11").json()
    assert {m["id"] for m in missing["items"]} == {world.enterprise.pk, *(e.pk for e in others)}
    response = client.post(
        "/api/reports/chases",
        data={"date": "2022-09-11", "all_missing": True, "park": "OWN-PARK"},
        content_type="application/json",
    )
    assert response.json() == {
        "chased": [world.enterprise.pk],
        "already_reported": [],
        "not_required": [],
    }
    assert ReportChase.objects.get().enterprise == world.enterprise


def test_api_deadlines_and_targets_name_unknown_codes(world: World) -> None:
    client = world.client("bureau")
    bad = client.put(
        "/api/reports/deadlines",
        data={"region": "999999", "date": "2022-09-11", "due_time": "16:00"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "region" in bad.json()["errors"]
    bad = client.put(
        "/api/targets",
        data={"park": "NOPE", "date": "2023-02-15", "rate": "90"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "park" in bad.json()["errors"]
    ok = client.put(
        "/api/targets",
        data={"region": "510500", "date": "2023-02-15", "rate": "90"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["region"] == "510500"


def _figures_city(world: World) -> None:
    closed = enterprises(3, world.jiangyang, output=5000)
    switch(closed, EnterpriseMode.CLOSED_LOOP, at(2022, 9, 8))
    switch(enterprises(1, world.naxi, output=1000), EnterpriseMode.HALTED, at(2022, 9, 8))


def test_api_figures_carry_values_definitions_and_drill_downs(world: World) -> None:
    _figures_city(world)
    client = world.client("bureau")
    response = client.get("/api/figures?as_of=2022-09-11T15:00&region=510502,510503")
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"].startswith("2022-09-11T15:00:00+08:00")
    assert body["area"]["code"] == "510500"
    values = {i["key"]: i for i in body["indicators"]}
    assert values["enterprises"]["value"] == 5
    assert values["closed_loop"]["value"] == 3
    assert Decimal(values["closed_loop_share_count"]["value"]) == Decimal("60.00")
    assert Decimal(values["resumption_count"]["value"]) == Decimal("80.00")
    assert "seasonal stop" in values["resumption_count"]["definition"]
    assert body["definitions"]["as_of"]
    assert body["sentences"]["closed_loop"]["en"].startswith(
        "In the two districts, 3 above-size enterprises produce in closed loop"
    )
    assert {r["key"] for r in body["by_region"]} == {"510502", "510503"}
    drill = values["closed_loop"]["enterprises"]
    query = parse_qs(urlsplit(drill).query)
    assert query["mode"] == ["closed_loop"] and query["region"] == ["510502", "510503"]
    listed = client.get(drill).json()
    assert listed["count"] == 3 and {e["mode"] for e in listed["items"]} == {"closed_loop"}
    row = next(r for r in body["by_region"] if r["key"] == "510503")
    assert client.get(row["enterprises_url"]).json()["count"] == 1


def test_api_figures_errors_name_the_parameter(world: World) -> None:
    client = world.client("bureau")
    response = client.get("/api/figures?region=999999&under=siege")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"region", "under"}
    assert client.get("/api/figures/enterprises?mode=dancing").status_code == 400


def test_figures_page_links_each_number_to_its_enterprises(world: World) -> None:
    _figures_city(world)
    client = world.client("district")
    client.cookies["django_language"] = "en"
    page = client.get("/reports/figures/?as_of=2022-09-11T15:00")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-indicator="closed_loop"' in html and 'id="by-region"' in html
    assert "/reports/figures/enterprises/?mode=closed_loop" in html.replace("amp;", "")
    listed = client.get("/reports/figures/enterprises/?mode=closed_loop&as_of=2022-09-11T15:00")
    assert listed.content.decode().count("data-enterprise=") == 3  # Naxi is not the district's
    bad = client.get("/reports/figures/?as_of=yesterday")
    assert bad.status_code == 400 and 'id="figure-errors"' in bad.content.decode()
    impossible = client.get("/reports/figures/?as_of=2022-02-30T10:00")
    assert impossible.status_code == 400 and 'id="figure-errors"' in impossible.content.decode()
    behind = client.get("/reports/figures/enterprises/?as_of=2022-02-30T10:00")
    assert behind.status_code == 400


def test_report_form_starts_from_yesterday_and_names_errors(world: World) -> None:
    services.submit_report(
        actor=SystemActor("test"),
        enterprise_id=world.enterprise.pk,
        data=BODY | {"date": "2022-09-10", "problems": "缺煤"},
    )
    client = world.client("liaison")
    client.cookies["django_language"] = "en"
    url = f"/reports/enterprise/{world.enterprise.pk}/"
    page = client.get(url + "?date=2022-09-11")
    form = page.context["form"]
    assert form.initial["staff_on_site"] == 420 and form.initial["problems"] == ""
    assert form.initial["version"] == 0
    data = {k: str(v) for k, v in BODY.items()} | {"date": "2022-09-11", "version": "0"}
    bad = client.post(url, data | {"staff_inside": "999"})
    assert bad.status_code == 400 and 'data-field-error="staff_inside"' in bad.content.decode()
    future = client.post(url, data | {"date": "2999-01-01"})
    assert 'data-field-error="date"' in future.content.decode()
    assert DailyReport.objects.count() == 1
    ok = client.post(url, data)
    assert ok.status_code == 302 and ok["Location"].endswith("?date=2022-09-11")
    stale = client.post(url, data | {"staff_on_site": "500"})  # still thinks none is filed
    assert (
        stale.status_code == 409 and "Someone else" in stale.context["form"].non_field_errors()[0]
    )


def test_export_has_the_filtered_reports(world: World) -> None:
    services.submit_report(
        actor=SystemActor("test"),
        enterprise_id=world.enterprise.pk,
        data=BODY | {"date": "2022-09-11"},
    )
    response = world.client("district").get("/reports/export.xlsx?date_from=2022-09-01")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == world.enterprise.uscc and rows[1][6] == 420
