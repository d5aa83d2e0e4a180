"""The role matrix entry of the problem figures endpoint: every role that sees problems gets its
own problems' figures (the numbers' scoping is tested in test_figures.py); the rest get 403."""

from __future__ import annotations

from tests.matrix import Case, static, statuses
from tests.problems.matrix import VIEWERS

PAGES: dict[str, list[Case]] = {}

API: dict[str, list[Case]] = {
    "GET /api/problems/figures": [
        Case("get", static("/api/problems/figures"), statuses(200, VIEWERS), json=True),
        Case(
            "get",
            static("/api/problems/figures?region=510500&as_of=2022-09-20T23:59:59%2B08:00"),
            statuses(200, VIEWERS),
            json=True,
        ),
    ],
}
