"""The problems in the daily briefing and on the command dashboard: the worked example of
tests/problems/test_figures.py (docs/indicators.md, "Problems"), as of 20 Sep 2022 23:59:59."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from openpyxl import load_workbook

from keepline.core.scopes import holds
from keepline.problems.models import Problem
from tests.conftest import World
from tests.problems.conftest import file
from tests.problems.test_figures import ledger  # noqa: F401  (the fixture)

QUERY = "region=510500&date=2022-09-20"
SENTENCE_ZH = (
    "截至9月20日，累计受理企业诉求8件，已办结3件，按期办结率66.7%，满意度4.0分；"
    "为白名单企业解决问题2件。"
)
SENTENCE_EN = (
    "By 20 Sep 2022, 8 problems received, 3 closed, 66.7% on time, satisfaction 4.0 of 5;"
    " 2 problems solved for whitelisted enterprises."
)


def _section(client: Any, query: str = QUERY) -> Any:
    page = client.get(f"/briefing/daily/?{query}")
    assert page.status_code == 200
    return next((s for s in page.context["briefing"].sections if s.key == "problems"), None)


def test_problems_section_sentences_and_table(world: World, ledger: dict[int, Problem]) -> None:  # noqa: F811
    section = _section(world.client("bureau"))
    assert section.sentences[0] == (SENTENCE_ZH, SENTENCE_EN)
    # Open 4, 5, 6; overdue 5; near 6; replied 7 and 8 (8 was confirmed only on 21 Sep).
    assert section.sentences[1] == (
        "在办3件，其中超期1件、临近时限1件；已答复待企业确认2件。",
        "3 open, of which 1 overdue and 1 near a deadline; 2 answered and awaiting the"
        " enterprise's confirmation.",
    )
    by_category = {row[0]: row[1:] for row in section.tables[0].rows}
    assert by_category["Logistics"] == [3, 0, 1, 2]
    key = dict(section.tables[1].rows)
    assert key["Closed on time"] == "66.7% (2/3)"
    assert key["Acknowledged on time"] == "85.7% (6/7)"
    assert key["Solved for whitelisted enterprises since 2022-09-08"] == 2


def test_problems_section_in_word_and_excel(world: World, ledger: dict[int, Problem]) -> None:  # noqa: F811
    client = world.client("bureau")
    docx = client.get(f"/briefing/daily.docx?{QUERY}")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert SENTENCE_ZH in text and SENTENCE_EN in text
    book = load_workbook(io.BytesIO(client.get(f"/briefing/daily.xlsx?{QUERY}").content))
    sentences = [row[1] for row in book.worksheets[0].iter_rows(values_only=True)]
    assert SENTENCE_ZH in sentences
    sheet = book["Enterprise problems"]
    rows = list(sheet.iter_rows(values_only=True))
    assert ("Logistics", 3, 0, 1, 2) in rows


def test_problems_section_counts_only_what_the_reader_sees(
    world: World,
    ledger: dict[int, Problem],  # noqa: F811
) -> None:
    # The Yibin district official: problem 9 only (closed, rated 1, whitelisted).
    client = world.client("bureau")
    client.force_login(world.other_user)
    zh, _en = _section(client, "date=2022-09-20").sentences[0]
    assert zh == (
        "截至9月20日，累计受理企业诉求1件，已办结1件，按期办结率100.0%，满意度1.0分；"
        "为白名单企业解决问题1件。"
    )


def test_problems_section_left_out_without_problems_or_the_right(world: World) -> None:
    assert _section(world.client("bureau")) is None
    file(world)
    # The department official reads the briefing but holds no right over problems.
    assert _section(world.client("department"), "date=2022-09-20") is None


def test_dashboard_panel_cards_chart_and_tables(world: World, ledger: dict[int, Problem]) -> None:  # noqa: F811
    page = world.client("bureau").get("/briefing/?region=510500&date=2022-09-20&time=23:59")
    assert page.status_code == 200
    body = page.content.decode()
    for element in (
        'id="problems-panel"',
        'id="chart-problems"',
        'id="table-problems-category"',
        'id="table-problems-department"',
        'id="table-problems-tier"',
        'id="table-problems-headline"',
    ):
        assert element in body
    panel = page.context["data"]["problems"]
    cards = {c["key"]: c["value"] for c in panel["cards"]}
    # As of 23:59 (the minute, not 23:59:59): the same ledger, nothing happened in the last minute.
    assert cards == {
        "open": 3,
        "overdue": 1,
        "on_time": 66.7,
        "median_close_days": 5.0,
        "satisfaction": 4.0,
        "whitelisted_solved": 2,
    }
    logistics = next(r for r in panel["by_category"] if r["key"] == "logistics")
    assert (logistics["open"]["value"], logistics["closed"]["value"]) == (0, 2)
    # A past time: no drill links (the list shows problems as they stand now).
    assert logistics["closed"]["url"] is None


def test_dashboard_panel_links_today(world: World) -> None:
    file(world, category="energy")
    data = world.client("bureau").get("/api/dashboard?region=510500").json()
    energy = next(r for r in data["problems"]["by_category"] if r["key"] == "energy")
    assert energy["received"] == {"value": 1, "url": "/problems/?region=510500&category=energy"}


def test_a_department_sees_only_problems_routed_to_it(world: World) -> None:
    routed, elsewhere = file(world), file(world)
    Problem.objects.filter(pk=routed.pk).update(department=world.department)
    assert elsewhere.department_id != world.department.pk
    page = world.client("department").get("/briefing/")
    assert page.status_code == 200
    panel = page.context["data"]["problems"]
    if holds(world.users["department"], Problem):
        assert panel["received"]["value"] == 1
    else:
        # Departments without the right to see problems get no panel at all.
        assert panel is None and 'id="problems-panel"' not in page.content.decode()
