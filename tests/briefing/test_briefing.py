"""The command dashboard and the daily briefing: the numbers they show follow the modes, the
documents carry the sentences, and sections plug in."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from keepline.briefing.sections import BriefingContext, Section, Table
from keepline.bubble.models import EnterpriseMode, ModeRecord
from tests.conftest import TZ, World

AS_OF = "2022-09-11T15:00:00+08:00"


def _closed_loop(world: World) -> None:
    ModeRecord.objects.create(
        enterprise=world.enterprise,
        mode=EnterpriseMode.CLOSED_LOOP,
        effective_from=dt.datetime(2022, 9, 8, tzinfo=TZ),
        reason="static management",
        recorded_by="test",
    )


def _headline(data: dict[str, Any], key: str) -> Any:
    return next(i["value"] for i in data["headline"] if i["key"] == key)


def test_dashboard_figure_follows_a_mode_switch(world: World) -> None:
    client = world.client("bureau")
    before = client.get(f"/api/dashboard?region=510500&as_of={AS_OF.replace('+', '%2B')}").json()
    assert _headline(before, "enterprises") == 1
    assert _headline(before, "closed_loop") == 0
    _closed_loop(world)
    after = client.get(f"/api/dashboard?region=510500&as_of={AS_OF.replace('+', '%2B')}").json()
    assert _headline(after, "closed_loop") == 1
    series = {s["mode"]: s for s in after["by_district"]["series"]}
    assert len(after["by_district"]["categories"]) == 1  # every enterprise is in Jiangyang
    assert series["closed_loop"]["data"] == [1]
    # The number drills down to the list of the enterprise behind it.
    url = next(i["url"] for i in after["headline"] if i["key"] == "closed_loop")
    drill = client.get(url)
    assert drill.status_code == 200 and world.enterprise.name in drill.content.decode()
    assert len(after["trend"]) == 14 and after["trend"][-1]["date"] == "2022-09-11"


def test_dashboard_page_has_charts_and_their_numbers(world: World) -> None:
    _closed_loop(world)
    page = world.client("district").get("/briefing/?region=510502&date=2022-09-11&time=15:00")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="chart-modes"' in body and 'id="table-modes"' in body and "dashboard-data" in body
    assert _headline(page.context["data"], "closed_loop") == 1


def test_daily_briefing_sentences_and_documents(world: World) -> None:
    _closed_loop(world)
    client = world.client("bureau")
    page = client.get("/briefing/daily/?region=510500&date=2022-09-11")
    sections = {s.key: s for s in page.context["briefing"].sections}
    zh, en = sections["figures"].sentences[0]
    assert "闭环生产" in zh and "closed loop" in en
    docx = client.get("/briefing/daily.docx?region=510500&date=2022-09-11")
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.word")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert zh in text and en in text
    xlsx = client.get("/briefing/daily.xlsx?region=510500&date=2022-09-11")
    book = load_workbook(io.BytesIO(xlsx.content))
    first = book.worksheets[0]
    assert any(row[1] == zh for row in first.iter_rows(values_only=True))
    assert len(book.worksheets) >= 2


def extra_section(ctx: BriefingContext) -> Section:
    return Section(
        key="extra",
        title="Passes",
        sentences=[("今日签发通行证3张。", "3 passes issued today.")],
        tables=[Table("By level", ["Level", "Passes"], [["city", 3]])],
    )


def test_sections_plug_in_through_the_setting(world: World, settings: Any) -> None:
    settings.KEEPLINE_BRIEFING_SECTIONS = [
        *settings.KEEPLINE_BRIEFING_SECTIONS,
        "tests.briefing.test_briefing.extra_section",
    ]
    client = world.client("bureau")
    page = client.get("/briefing/daily/?region=510500&date=2022-09-11")
    assert page.context["briefing"].sections[-1].key == "extra"
    text = "\n".join(
        p.text
        for p in Document(
            io.BytesIO(client.get("/briefing/daily.docx?region=510500&date=2022-09-11").content)
        ).paragraphs
    )
    assert "今日签发通行证3张。" in text
    book = load_workbook(
        io.BytesIO(client.get("/briefing/daily.xlsx?region=510500&date=2022-09-11").content)
    )
    assert "Passes" in book.sheetnames


@pytest.mark.parametrize(
    "query", ["date=2022-13-40", "region=511500", "under=volcano", "date=2022-09-11&time=25:99"]
)
def test_bad_filters_are_named_and_refused(world: World, query: str) -> None:
    assert world.client("district").get(f"/briefing/?{query}").status_code == 400
