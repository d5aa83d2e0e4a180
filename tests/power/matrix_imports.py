"""Role matrix entries of the meter-data files' pages and API (the upload is the shared import).

An own import was made by the Luzhou bureau (region Luzhou), a foreign one in Yibin."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keepline.power.models import ImportKind, PowerImport
from tests.conftest import World
from tests.matrix import Case, foreign, object_statuses, statuses

IMPORTERS = {"admin", "bureau"}


def _batch(w: World, which: str) -> PowerImport:
    region = w.luzhou if which == "own" else w.yibin
    batch, _created = PowerImport.objects.get_or_create(
        filename=f"{which}.csv",
        defaults={
            "kind": ImportKind.DAILY,
            "rows": 1,
            "accounts": 1,
            "first_day": dt.date(2022, 9, 1),
            "last_day": dt.date(2022, 9, 1),
            "region": region,
            "by_name": "bureau",
        },
    )
    return batch


def _listing(path: str) -> Any:
    def url(w: World, which: str) -> str:
        _batch(w, "own")
        _batch(w, "foreign")
        return path

    return url


PAGES: dict[str, list[Case]] = {
    "power:imports": [
        Case(
            "get",
            _listing("/power/imports/"),
            statuses(200, IMPORTERS),
            shows=lambda w, which: f"{which}.csv",
            shows_own_for=IMPORTERS,
        ),
    ],
    "power:import": [
        Case(
            "get",
            lambda w, which: f"/power/imports/{_batch(w, which).pk}/",
            object_statuses(200, IMPORTERS),
            foreign(200),
        )
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/power/imports": [
        Case(
            "get",
            _listing("/api/power/imports"),
            statuses(200, IMPORTERS),
            json=True,
            shows=lambda w, which: f"{which}.csv",
            shows_own_for=IMPORTERS,
        )
    ],
    "GET /api/power/imports/{import_id}": [
        Case(
            "get",
            lambda w, which: f"/api/power/imports/{_batch(w, which).pk}",
            object_statuses(200, IMPORTERS),
            foreign(200),
            json=True,
        )
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/power/imports": [
        Case(
            "get",
            _listing("/api/power/imports"),
            statuses(200, IMPORTERS),
            json=True,
            shows=lambda w, which: f"{which}.csv",
            shows_own_for=IMPORTERS,
        )
    ],
    "GET /api/power/imports/{import_id}": [
        Case(
            "get",
            lambda w, which: f"/api/power/imports/{_batch(w, which).pk}",
            object_statuses(200, IMPORTERS),
            foreign(200),
            json=True,
        )
    ],
}
