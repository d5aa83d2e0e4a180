"""Role matrix entries of the meter-data import pages and API.

An own import was made by the Luzhou bureau (region Luzhou), a foreign one in Yibin; an own
upload holds the own enterprise's account, a foreign one the Yibin enterprise's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from keepline.power.models import ImportKind, PowerImport
from tests.conftest import World
from tests.matrix import Case, foreign, object_statuses, static, statuses

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


def _file(w: World, which: str) -> dict[str, Any]:
    enterprise = w.enterprise if which == "own" else w.foreign_enterprise
    number = enterprise.power_accounts.get().number
    body = f"account,date,kwh\n{number},2022-09-01,1200\n".encode()
    return {"file": SimpleUploadedFile("grid.csv", body, "text/csv")}


# A bureau may not write readings for another city's accounts: that file is a bad file (400).
IMPORT_FOREIGN = {
    r: 302 if r == "admin" else 400 if r == "bureau" else 403 for r in statuses(0, set())
}
API_IMPORT_FOREIGN = {
    r: 201 if r == "admin" else 400 if r == "bureau" else 403 for r in statuses(0, set())
}

PAGES: dict[str, list[Case]] = {
    "power:imports": [
        Case(
            "get",
            _listing("/power/imports/"),
            statuses(200, IMPORTERS),
            shows=lambda w, which: f"{which}.csv",
            shows_own_for=IMPORTERS,
        ),
        Case(
            "post",
            static("/power/imports/"),
            statuses(302, IMPORTERS),
            IMPORT_FOREIGN,
            data=_file,
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
    "power:import_template": [
        Case("get", static("/power/imports/template.xlsx"), statuses(200, IMPORTERS))
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
    "POST /api/power/imports": [
        Case(
            "post",
            static("/api/power/imports"),
            statuses(201, IMPORTERS),
            API_IMPORT_FOREIGN,
            data=_file,
        )
    ],
}
