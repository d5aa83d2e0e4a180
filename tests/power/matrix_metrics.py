"""Role matrix entries of the power resumption index: its page, exports, the enterprises behind
a count, and the API. The figures are of an area, not of one object: every viewer of meter data
(REGISTRY_VIEWERS) may open them, counting only the enterprises its scope holds; the list of
enterprises behind a count shows the own enterprise and never the Yibin one."""

from __future__ import annotations

from keepline.enterprises.models import Enterprise
from tests.conftest import World
from tests.matrix import REGISTRY, Case, static, statuses


def _name(w: World, which: str) -> str:
    enterprise: Enterprise = w.enterprise if which == "own" else w.foreign_enterprise
    return enterprise.name


# Those whose scope holds the own enterprise (a department's scope holds no enterprise).
HOLDERS = REGISTRY - {"department"}

PAGES: dict[str, list[Case]] = {
    "power:index": [Case("get", static("/power/"), statuses(200, REGISTRY))],
    "power:index_export": [
        Case("get", static("/power/index/export.xlsx?table=region"), statuses(200, REGISTRY))
    ],
    "power:index_enterprises": [
        Case(
            "get",
            static("/power/index/enterprises/?group=all"),
            statuses(200, REGISTRY),
            shows=_name,
            shows_own_for=HOLDERS,
        )
    ],
    "power:index_enterprises_export": [
        Case("get", static("/power/index/enterprises/export.xlsx"), statuses(200, REGISTRY))
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/power/index": [
        Case("get", static("/api/power/index"), statuses(200, REGISTRY), json=True)
    ],
}
