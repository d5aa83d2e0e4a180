"""The scenario pages as the task force uses them: build a what-if, run it, read who runs dry and
the loss split, enter times to recover (one by one and from a file), edit, compare, export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from keepline.chains.importers import RECOVERY_COLUMNS, RecoveryImporter
from keepline.chains.models import RecoveryTime, Scenario, ScenarioStatus
from keepline.chains.services.runs import run_scenario
from keepline.core.models import AuditEvent
from keepline.enterprises.models import Enterprise
from tests.chains.support_scenarios import START, Chain, chain_fixture  # noqa: F401


@pytest.fixture
def ran(chain: Chain) -> Chain:
    run_scenario(actor=chain.admin, scenario_id=chain.what_if().pk)
    return chain


def _bureau(chain: Chain) -> Client:
    return chain.world.client("bureau")


def _order(body: str, *names: str) -> list[int]:
    return [body.index(n) for n in names]


def _new_form(chain: Chain, **area: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "江阳区封控",
        "region": chain.world.luzhou.pk,
        "starts_on": "2022-09-01",
        "days": 30,
        "closed_loop_share": "0.70",
        "semi_closed_share": "0.50",
        "headroom": "0.10",
        "areas-TOTAL_FORMS": 2,
        "areas-INITIAL_FORMS": 0,
        "areas-0-place": f"r{chain.world.jiangyang.pk}",
        "areas-0-starts_on": "2022-09-05",
        "areas-0-ends_on": "2022-09-14",
        "areas-0-strictness": 3,
    }
    # The browser sends the second row's strictness as offered even when the row is left empty.
    return data | {"areas-1-strictness": 3} | {f"areas-1-{k}": v for k, v in area.items()}


def test_a_what_if_made_on_the_page_runs_and_shows_who_runs_dry(chain: Chain) -> None:
    client = _bureau(chain)
    assert client.get("/chains/scenarios/new/").status_code == 200
    response = client.post("/chains/scenarios/new/", _new_form(chain))
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert response["Location"] == f"/chains/scenarios/{scenario.pk}/"
    assert scenario.areas.count() == 1  # the empty second row is no area
    draft = client.get(response["Location"]).content.decode()
    assert 'id="draft"' in draft

    assert client.post(f"/chains/scenarios/{scenario.pk}/run/").status_code == 302
    body = client.get(f"/chains/scenarios/{scenario.pk}/").content.decode()
    scenario.refresh_from_db()
    assert f'data-key="at_risk">{scenario.at_risk}<' in body
    assert f'data-key="direct_loss">{scenario.direct_loss}<' in body
    distillery, bottler = chain.firms["distillery"], chain.firms["bottler"]
    # Sorted by the day they run dry: the distillery (day 7, 6 days) before its bottler.
    a, b = _order(body, f'data-enterprise="{distillery.pk}"', f'data-enterprise="{bottler.pk}"')
    assert a < b
    row = body[a : body.index("</tr>", a)]
    assert 'data-key="survives">6<' in row and "09-07" in row
    assert "Manufacture of non-metallic mineral products" in row  # the glass that runs out
    assert f"/chains/enterprises/{distillery.pk}/" in row
    assert f"/chains/scenarios/{scenario.pk}/enterprises/{distillery.pk}/substitutes/" in row
    # Latest first when asked.
    later = client.get(f"/chains/scenarios/{scenario.pk}/?sort=-dry_day").content.decode()
    a, b = _order(later, f'data-enterprise="{distillery.pk}"', f'data-enterprise="{bottler.pk}"')
    assert b < a


def test_loss_tables_split_direct_and_indirect_by_district(ran: Chain) -> None:
    scenario = Scenario.objects.get()
    body = _bureau(ran).get(f"/chains/scenarios/{scenario.pk}/").content.decode()
    table = body[
        body.index('id="by-region"') : body.index("</table>", body.index('id="by-region"'))
    ]
    jiangyang = table[table.index('data-row="510502"') :]
    assert f'<td class="num">{scenario.direct_loss}</td><td class="num">0.00</td>' in jiangyang
    naxi = table[table.index('data-row="510503"') :]
    assert f'<td class="num">0.00</td><td class="num">{scenario.indirect_loss}</td>' in naxi
    assert 'id="index"' in body and 'data-src="/api/chains/scenarios/' in body


def test_time_to_recover_entered_inline_flags_the_row(ran: Chain) -> None:
    scenario = Scenario.objects.get()
    client = _bureau(ran)
    distillery = ran.firms["distillery"]
    detail = f"/chains/scenarios/{scenario.pk}/"
    response = client.post(
        f"/chains/scenarios/{scenario.pk}/recovery/",
        {"action": "set", "enterprise": distillery.pk, "days": 10, "next": detail},
    )
    assert response.status_code == 302 and response["Location"] == detail
    body = client.get(detail).content.decode()
    start = body.index(f'data-enterprise="{distillery.pk}"')
    assert 'data-flag="1"' in body[start : body.index("</tr>", start)]
    # A bad number is named and changes nothing.
    bad = client.post(
        f"/chains/scenarios/{scenario.pk}/recovery/",
        {"action": "set", "enterprise": distillery.pk, "days": 400},
    )
    assert bad.status_code == 400 and 'data-field-error="days"' in bad.content.decode()
    assert RecoveryTime.objects.get().days == 10


def test_times_to_recover_from_a_file_all_or_nothing(ran: Chain) -> None:
    scenario = Scenario.objects.get()
    client = _bureau(ran)
    f = ran.firms
    url = f"/chains/scenarios/{scenario.pk}/recovery/"
    bad = "credit code,days\n" + f"{f['distillery'].uscc},12\n{f['bottler'].uscc},0\nXYZ,4\n"
    response = client.post(
        url, {"action": "import", "file": _upload("ttr.csv", bad)}, format="multipart"
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-row="3" data-column="days"' in body
    assert 'data-row="4" data-column="uscc"' in body and "XYZ" in body
    assert not RecoveryTime.objects.exists()

    good = "uscc,days\n" + f"{f['distillery'].uscc},12\n{f['bottler'].uscc},4\n"
    response = client.post(url, {"action": "import", "file": _upload("ttr.csv", good)})
    assert response.status_code == 302
    assert dict(RecoveryTime.objects.values_list("enterprise__name", "days")) == {
        f["distillery"].name: 12,
        f["bottler"].name: 4,
    }
    # A second file changes one and clears the other: the trail says whose time was what.
    again = "uscc,days\n" + f"{f['distillery'].uscc},20\n{f['bottler'].uscc},\n"
    assert client.post(url, {"action": "import", "file": _upload("ttr.csv", again)}).status_code
    event = AuditEvent.objects.filter(action="import_recovery").latest("id")
    assert event.before["days"] == {f["distillery"].uscc: 12, f["bottler"].uscc: 4}
    assert event.after["days"] == {f["distillery"].uscc: 20, f["bottler"].uscc: None}


def test_the_recovery_files_example_row_passes_its_own_check(ran: Chain) -> None:
    scenario = Scenario.objects.get()
    importer = RecoveryImporter(scenario)
    example = next(c.example for c in RECOVERY_COLUMNS if c.key == "uscc")
    Enterprise.objects.filter(pk=ran.firms["distillery"].pk).update(uscc=example)
    data = "\n".join(
        [",".join(str(c.label) for c in RECOVERY_COLUMNS), ",".join(importer.example())]
    )
    checked = importer.check(ran.world.users["bureau"], "template.csv", data.encode())
    assert checked.ok and [r.uscc for r in checked.rows] == [example]


def _upload(name: str, text: str) -> Any:
    handle = io.BytesIO(text.encode())
    handle.name = name
    return handle


def test_a_bad_area_on_the_page_is_shown_on_its_row_and_nothing_is_saved(chain: Chain) -> None:
    data = _new_form(
        chain,
        place=f"r{chain.world.naxi.pk}",
        starts_on="2022-09-20",
        ends_on="2022-10-20",
        strictness=2,
    )
    response = _bureau(chain).post("/chains/scenarios/new/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-field-error="areas-1-ends_on"' in body
    assert "Area 2: the last day lies outside the days modelled, 2022-09-01 to 2022-09-30." in body
    assert not Scenario.objects.exists()


def test_editing_the_areas_on_the_page_makes_the_results_stale(ran: Chain) -> None:
    scenario = Scenario.objects.get()
    client = _bureau(ran)
    assert client.get(f"/chains/scenarios/{scenario.pk}/edit/").status_code == 200
    area = scenario.areas.get()
    data = {
        "version": scenario.version,
        "name": scenario.name,
        "note": "",
        "closed_loop_share": "0.70",
        "semi_closed_share": "0.50",
        "headroom": "0.10",
        "areas-TOTAL_FORMS": 1,
        "areas-INITIAL_FORMS": 1,
        "areas-0-place": f"r{area.region_id}",
        "areas-0-starts_on": "2022-09-05",
        "areas-0-ends_on": "2022-09-06",
        "areas-0-strictness": 3,
    }
    assert client.post(f"/chains/scenarios/{scenario.pk}/edit/", data).status_code == 302
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.STALE
    assert scenario.areas.get().ends_on == dt.date(2022, 9, 6)
    assert 'id="stale"' in client.get(f"/chains/scenarios/{scenario.pk}/").content.decode()
    # The old form again: someone changed it in the meantime.
    response = client.post(f"/chains/scenarios/{scenario.pk}/edit/", data)
    assert response.status_code == 302 and response["Location"].endswith("/edit/")


def test_compare_shows_parameters_totals_and_who_differs(ran: Chain) -> None:
    long = Scenario.objects.get()
    short = ran.what_if(
        name="江阳区封控1天",
        areas=[
            {
                "region_id": ran.world.jiangyang.pk,
                "starts_on": START + dt.timedelta(days=4),
                "ends_on": START + dt.timedelta(days=4),
                "strictness": 3,
            }
        ],
    )
    run_scenario(actor=ran.admin, scenario_id=short.pk)
    client = _bureau(ran)
    body = client.get(f"/chains/scenarios/compare/?ids={long.pk}&ids={short.pk}").content.decode()
    assert "江阳区封控1天" in body and long.name in body
    differences = body[body.index('id="differences"') :]
    distillery = ran.firms["distillery"]
    row = differences[differences.index(f'data-enterprise="{distillery.pk}"') :]
    assert " · 7<" in row[: row.index("</tr>")] and " · —<" in row[: row.index("</tr>")]
    # From the scenario page: the one scenario comes ticked, the reader picks the others.
    one = client.get(f"/chains/scenarios/compare/?ids={long.pk}").content.decode()
    assert f'value="{long.pk}" id="pick-{long.pk}" checked' in one and 'id="parameters"' not in one
    five = "&".join(f"ids={i}" for i in range(long.pk, long.pk + 5))
    too_many = client.get(f"/chains/scenarios/compare/?{five}")
    assert too_many.status_code == 400 and "from 2 to 4" in too_many.content.decode()


def test_results_export_lists_every_row_the_reader_sees(ran: Chain) -> None:
    scenario = Scenario.objects.get()
    response = _bureau(ran).get(f"/chains/scenarios/{scenario.pk}/results.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Enterprise" and "Time to survive (days)" in rows[0]
    by_name = {r[0]: r for r in rows[1:]}
    assert len(by_name) == 5
    distillery = by_name[ran.firms["distillery"].name]
    assert distillery[6:9] == (7, dt.datetime(2022, 9, 7), 6)
    district = ran.world.client("district").get(f"/chains/scenarios/{scenario.pk}/results.xlsx")
    assert len(list(load_workbook(io.BytesIO(district.content)).worksheets[0].rows)) == 4


def test_the_list_filters_and_exports(ran: Chain) -> None:
    ran.what_if(name="草稿情景")
    client = _bureau(ran)
    done = client.get("/chains/scenarios/?status=done").content.decode()
    assert "江阳区封控10天" in done and "草稿情景" not in done
    book = client.get("/chains/scenarios/export.xlsx?status=draft")
    rows = list(load_workbook(io.BytesIO(book.content)).worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["草稿情景"]


def test_delete_asks_then_deletes(ran: Chain) -> None:
    scenario = Scenario.objects.get()
    client = _bureau(ran)
    assert client.get(f"/chains/scenarios/{scenario.pk}/delete/").status_code == 200
    stale = client.post(f"/chains/scenarios/{scenario.pk}/delete/", {"version": 99})
    assert stale.status_code == 302 and Scenario.objects.exists()
    for version in ("x", "²", "9" * 5000):
        garbled = client.post(f"/chains/scenarios/{scenario.pk}/delete/", {"version": version})
        assert garbled.status_code == 302 and Scenario.objects.exists()
    response = client.post(
        f"/chains/scenarios/{scenario.pk}/delete/", {"version": scenario.version}
    )
    assert response.status_code == 302 and not Scenario.objects.exists()
