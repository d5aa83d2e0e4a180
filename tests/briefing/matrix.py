"""The role matrix entries of the command dashboard and the daily briefing."""

from __future__ import annotations

from tests.matrix import OFFICIALS, Case, static, statuses

PAGES: dict[str, list[Case]] = {
    "briefing:dashboard": [Case("get", static("/briefing/"), statuses(200, OFFICIALS))],
    "briefing:daily": [
        Case("get", static("/briefing/daily/?date=2022-09-11"), statuses(200, OFFICIALS))
    ],
    "briefing:daily_docx": [
        Case("get", static("/briefing/daily.docx?date=2022-09-11"), statuses(200, OFFICIALS))
    ],
    "briefing:daily_xlsx": [
        Case("get", static("/briefing/daily.xlsx?date=2022-09-11"), statuses(200, OFFICIALS))
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/dashboard": [
        Case(
            "get",
            static("/api/dashboard?as_of=2022-09-11T15:00:00%2B08:00"),
            statuses(200, OFFICIALS),
            json=True,
        )
    ],
}
