"""The briefing's power section: the large-industry sentence and the index, from the latest
day with meter data up to the briefing's day (numbers worked out in tests/power/test_metrics.py)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document

from tests.conftest import World
from tests.power.test_metrics import plant  # noqa: F401  (the fixture)


def _power(client: Any, query: str) -> Any:
    page = client.get(f"/briefing/daily/?{query}")
    assert page.status_code == 200
    return next((s for s in page.context["briefing"].sections if s.key == "power"), None)


def test_power_section_sentences(world: World, plant: dict[str, Any]) -> None:  # noqa: F811
    client = world.client("bureau")
    # The briefing of 11 Sep: meter data runs to 10 Sep, so the figures are of 10 Sep.
    section = _power(client, "region=510500&date=2022-09-11")
    (large_zh, large_en), (index_zh, index_en), (yoy_zh, yoy_en) = section.sentences
    # A alone is large industry: 800 ÷ its September 2021 daily average 1100 = 72.7%.
    assert large_zh == "9月10日，规上工业大用户日均用电量为去年同月日均的72.7%。"
    assert large_en == (
        "On 10 Sep 2022, large industry at 72.7% of the same month's daily average last year."
    )
    # Index 53.125 → 53.1; 1 of 2 resumed (50.0%); recovery rate 56.25 → 56.3 (half up).
    assert index_zh == (
        "电力复工指数为53.1，2家有基准和读数的企业中1家复工（50.0%），用电恢复率56.3%。"
    )
    assert index_en == (
        "Power resumption index 53.1: 1 of the 2 enterprises with a baseline and a reading"
        " resumed (50.0%), recovery rate 56.3%."
    )
    # 2300 against 3900 kWh: −41.0%.
    assert (yoy_zh, yoy_en) == (
        "本月1日至10日用电量同比下降41.0%。",
        "Energy from 1 to 10 September down 41.0% year on year.",
    )
    districts = {row[0]: row for row in section.tables[0].rows}
    assert (districts["Jiangyang"][1], str(districts["Jiangyang"][7])) == (2, "53.13")
    text = "\n".join(
        p.text
        for p in Document(
            io.BytesIO(client.get("/briefing/daily.docx?region=510500&date=2022-09-11").content)
        ).paragraphs
    )
    assert large_zh in text and large_en in text


def test_power_section_is_left_out_without_meter_data(world: World) -> None:
    assert _power(world.client("bureau"), "region=510500&date=2022-09-11") is None


def test_power_section_counts_only_the_readers_area(world: World, plant: dict[str, Any]) -> None:  # noqa: F811
    # The district official's briefing of 9 Sep: A 1100/1100 and B 250/500, both resumed.
    section = _power(world.client("district"), "region=510502&date=2022-09-09")
    assert section.sentences[1][1] == (
        "Power resumption index 92.2: 2 of the 2 enterprises with a baseline and a reading"
        " resumed (100.0%), recovery rate 84.4%."
    )
