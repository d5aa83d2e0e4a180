"""Meter-data import: CSV, Excel and Parquet; every bad row named; all or nothing; a file
replaces each account's data between its first and last day in it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from keepline.core.errors import Forbidden, InvalidInput
from keepline.core.models import AuditEvent, Upload
from keepline.core.scopes import Actor
from keepline.enterprises.models import PowerAccount
from keepline.power import importing
from keepline.power.checking import MeterCheck
from keepline.power.importers import POWER_IMPORTER
from keepline.power.models import DailyReading, ImportKind, LoadProfile, PowerImport
from keepline.power.services.imports import import_power
from tests.conftest import SYSTEM, World


def csv_bytes(rows: list[tuple[Any, ...]], header: str = "account,date,kwh") -> io.BytesIO:
    text = io.StringIO()
    text.write(header + "\n")
    csv.writer(text, lineterminator="\n").writerows(rows)
    return io.BytesIO(text.getvalue().encode())


def check(
    actor: Actor,
    filename: str,
    stream: io.BytesIO | Path,
    progress: Any = None,
) -> MeterCheck:
    data = stream.read_bytes() if isinstance(stream, Path) else stream.getvalue()
    return POWER_IMPORTER.check(actor, filename, data, progress)


def take(actor: Actor, filename: str, stream: io.BytesIO | Path, progress: Any = None) -> Any:
    """Check a file and write it, as the import page's confirm does; bad rows raise."""
    checked = check(actor, filename, stream, progress)
    if not checked.ok:
        raise checked.as_error()
    return import_power(actor=actor, check=checked)


def own(world: World) -> str:
    return world.enterprise.power_accounts.get().number


def foreign(world: World) -> str:
    return world.foreign_enterprise.power_accounts.get().number


def readings() -> dict[tuple[str, str], float]:
    return {
        (r.account.number, r.day.isoformat()): r.kwh
        for r in DailyReading.objects.select_related("account")
    }


def errors_of(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[str, list[str]]:
    return exc.value.errors


def test_daily_csv_is_taken_whole_with_audit_and_gaps(world: World) -> None:
    a = own(world)
    second = PowerAccount.objects.create(enterprise=world.enterprise, number="0599999999")
    rows = [(a, f"2022-09-0{d}", 1000 + d) for d in range(1, 6)]
    rows += [(second.number, "2022-09-01", "1,250.5"), (second.number, "2022/09/05", 80)]
    batch = take(world.users["bureau"], "grid.csv", csv_bytes(rows))
    assert batch.kind == ImportKind.DAILY
    assert (batch.rows, batch.accounts) == (7, 2)
    assert (batch.first_day, batch.last_day) == (dt.date(2022, 9, 1), dt.date(2022, 9, 5))
    assert readings()[(a, "2022-09-03")] == 1003
    assert readings()[("0599999999", "2022-09-01")] == 1250.5
    # The second account lacks 2–4 September: shown, not invented.
    assert batch.gaps == [
        {"account": "0599999999", "missing": 3, "ranges": [["2022-09-02", "2022-09-04"]]}
    ]
    assert DailyReading.objects.filter(account=second).count() == 2
    event = AuditEvent.objects.get(action="import", object_type="power.powerimport")
    assert event.after["rows"] == 7 and event.actor_name == "bureau"


def test_every_bad_row_is_named_and_nothing_is_written(world: World) -> None:
    a = own(world)
    rows = [
        (a, "2022-09-01", 100),  # row 2: good
        ("0500000000", "2022-09-01", 100),  # row 3: unknown account
        (a, "2022-13-01", 100),  # row 4: no such date
        (a, "2022-09-02", -5),  # row 5: negative
        (a, "2022-09-03", "lots"),  # row 6: not a number
        (a, "2022-09-04", 9e12),  # row 7: absurd
        (foreign(world), "2022-09-01", 100),  # row 8: outside the bureau's city
        (a, "2099-01-01", 100),  # row 9: future
        ("", "2022-09-05", 1),  # row 10: account missing
    ]
    with pytest.raises(InvalidInput) as exc:
        take(world.users["bureau"], "grid.csv", csv_bytes(rows))
    errors = errors_of(exc)
    assert set(errors) == {
        "row 3, Power account",
        "row 4, Date",
        "row 5, Energy (kWh)",
        "row 6, Energy (kWh)",
        "row 7, Energy (kWh)",
        "row 8, Power account",
        "row 9, Date",
        "row 10, Power account",
    }
    assert errors["row 3, Power account"] == ["Unknown power account 0500000000."]
    assert "outside your area" in errors["row 8, Power account"][0]
    assert "negative" in errors["row 5, Energy (kWh)"][0]
    assert len(check(world.users["bureau"], "grid.csv", csv_bytes(rows)).errors) == 8
    assert not DailyReading.objects.exists() and not PowerImport.objects.exists()


def test_duplicates_in_the_file_are_named_and_held_days_are_replaced(world: World) -> None:
    a = own(world)
    take(SYSTEM, "first.csv", csv_bytes([(a, "2022-09-01", 10)]))
    rows = [(a, "2022-09-01", 11), (a, "2022-09-02", 12), (a, "2022-09-02", 13)]
    with pytest.raises(InvalidInput) as exc:
        take(SYSTEM, "again.csv", csv_bytes(rows))
    # The repeated day is named; the day already held is not an error: the file replaces it.
    assert errors_of(exc) == {"row 4, Date": ["Same account and day as row 3."]}
    assert readings() == {(a, "2022-09-01"): 10}
    checked = check(SYSTEM, "again.csv", csv_bytes(rows[:2]))
    # The check says what the file replaces before anything is written.
    assert checked.ok and checked.replaced == 1
    assert [(r.when, r.replaces) for r in checked.rows] == [
        ("2022-09-01", True),
        ("2022-09-02", False),
    ]
    assert readings() == {(a, "2022-09-01"): 10}
    batch = import_power(actor=SYSTEM, check=checked)
    assert batch.replaced == 1
    assert readings() == {(a, "2022-09-01"): 11, (a, "2022-09-02"): 12}


def test_a_file_replaces_each_accounts_period(world: World) -> None:
    a = own(world)
    take(SYSTEM, "first.csv", csv_bytes([(a, f"2022-09-0{d}", d) for d in range(1, 8)]))
    batch = take(SYSTEM, "fixed.csv", csv_bytes([(a, "2022-09-02", 200), (a, "2022-09-04", 400)]))
    # 2–4 September are replaced; the 3rd, absent from the new file, is gone and shows as a gap.
    assert batch.replaced == 3
    assert readings() == {
        (a, "2022-09-01"): 1,
        (a, "2022-09-02"): 200,
        (a, "2022-09-04"): 400,
        (a, "2022-09-05"): 5,
        (a, "2022-09-06"): 6,
        (a, "2022-09-07"): 7,
    }
    assert batch.gaps[0]["ranges"] == [["2022-09-03", "2022-09-03"]]


def test_excel_and_parquet_read_the_same_as_csv(world: World, tmp_path: Path) -> None:
    a = own(world)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["户号", "日期", "用电量(kWh)"])
    sheet.append([a, dt.date(2022, 9, 1), 1500])
    sheet.append([a, "2022-09-02", 1600.5])
    xlsx = tmp_path / "grid.xlsx"
    book.save(xlsx)
    take(SYSTEM, "grid.xlsx", xlsx)
    pl.DataFrame(
        {"account": [a, a], "date": [dt.date(2022, 9, 3), dt.date(2022, 9, 4)], "kwh": [1.0, 2.0]}
    ).write_parquet(tmp_path / "grid.parquet")
    take(SYSTEM, "grid.parquet", tmp_path / "grid.parquet")
    assert readings() == {
        (a, "2022-09-01"): 1500,
        (a, "2022-09-02"): 1600.5,
        (a, "2022-09-03"): 1.0,
        (a, "2022-09-04"): 2.0,
    }


def test_headers_and_formats_are_checked(world: World) -> None:
    with pytest.raises(InvalidInput) as exc:
        take(SYSTEM, "x.csv", csv_bytes([], header="account,kwh"))
    assert "Date" in str(exc.value)
    with pytest.raises(InvalidInput) as exc:
        take(SYSTEM, "x.txt", io.BytesIO(b"account,date,kwh\n"))
    assert exc.value.errors == {"file": ["Wrong type."]}
    with pytest.raises(InvalidInput) as exc:
        take(SYSTEM, "x.csv", csv_bytes([]))
    assert exc.value.errors == {"row 2, file": ["The file has no data rows."]}
    assert not PowerImport.objects.exists()


def test_chinese_headers_in_gb18030(world: World) -> None:
    body = f"户号,日期,用电量(kWh)\n{own(world)},2022-09-01,10\n".encode("gb18030")
    batch = take(SYSTEM, "国网.csv", io.BytesIO(body))
    assert batch.rows == 1


def test_only_importers_may_import(world: World) -> None:
    for role in ("district", "park", "liaison", "department", "leader"):
        with pytest.raises(Forbidden):
            take(
                world.users[role],
                "grid.csv",
                csv_bytes([(own(world), "2022-09-01", 1)]),
            )
    assert not DailyReading.objects.exists()


def test_interval_data_becomes_one_profile_per_day(world: World) -> None:
    a = own(world)
    rows = [(a, f"2022-09-01 {h:02d}:00", h) for h in range(24)]
    rows += [(a, "2022-09-02 00:00", 5)]
    batch = take(SYSTEM, "load.csv", csv_bytes(rows, header="account,time,kwh"))
    assert batch.kind == ImportKind.INTERVAL and batch.rows == 25
    first = LoadProfile.objects.get(day=dt.date(2022, 9, 1))
    assert first.interval_minutes == 60 and first.kwh == [float(h) for h in range(24)]
    second = LoadProfile.objects.get(day=dt.date(2022, 9, 2))
    assert second.kwh[0] == 5 and second.kwh[1:] == [None] * 23


def test_quarter_hours_split_across_chunks(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "CHUNK_ROWS", 10)
    a = own(world)
    rows = [(a, f"2022-09-01 {m // 60:02d}:{m % 60:02d}", 1) for m in range(0, 1440, 15)]
    take(SYSTEM, "load.csv", csv_bytes(rows, header="account,time,kwh"))
    profile = LoadProfile.objects.get()
    assert profile.interval_minutes == 15 and profile.kwh == [1.0] * 96


def test_interval_errors(world: World) -> None:
    a = own(world)
    rows = [(a, "2022-09-01 00:00", 1), (a, "2022-09-01 00:00", 2), (a, "2022-09-01 00:07", 1)]
    with pytest.raises(InvalidInput) as exc:
        take(SYSTEM, "load.csv", csv_bytes(rows, header="account,time,kwh"))
    errors = errors_of(exc)
    assert errors["row 3, Interval start"] == ["Same account and time as row 2."]
    assert "15-minute" in errors["row 4, Interval start"][0]
    assert not LoadProfile.objects.exists()


def test_large_files_go_in_chunks_and_name_bad_rows_in_any_chunk(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "CHUNK_ROWS", 7)
    a = own(world)
    start = dt.date(2022, 1, 1)
    rows: list[tuple[Any, ...]] = [(a, (start + dt.timedelta(d)).isoformat(), d) for d in range(50)]
    rows[40] = (a, rows[40][1], "?")
    with pytest.raises(InvalidInput) as exc:
        take(SYSTEM, "year.csv", csv_bytes(rows))
    assert list(errors_of(exc)) == ["row 42, Energy (kWh)"]
    rows[40] = (a, rows[40][1], 40)
    seen: list[int] = []
    batch = take(SYSTEM, "year.csv", csv_bytes(rows), progress=seen.append)
    # The progress is told each chunk's rows: 7 chunks of 7 and one of 1.
    assert batch.rows == 50 and sum(seen) == 50 and len(seen) == 8


@override_settings(KEEPLINE_POWER_MAX_KWH=100)
def test_the_absurd_limit_is_a_setting(world: World) -> None:
    with pytest.raises(InvalidInput) as exc:
        take(SYSTEM, "x.csv", csv_bytes([(own(world), "2022-09-01", 101)]))
    assert "at most 100" in exc.value.errors["row 2, Energy (kWh)"][0]


def test_command_imports_and_reports_bad_rows(world: World, tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_bytes(csv_bytes([(own(world), "2022-09-01", 1), ("nope", "2022-09-01", 1)]).read())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "power", str(path), stdout=out, stderr=out)
    assert "row 3, Power account: Unknown power account nope." in out.getvalue()
    path.write_bytes(csv_bytes([(own(world), "2022-09-01", 1)]).read())
    call_command("import", "power", str(path), "--check", stdout=out, stderr=out)
    assert not DailyReading.objects.exists()
    call_command("import", "power", str(path), stdout=out, stderr=out)
    # Imported again, the file replaces the day it holds.
    call_command("import", "power", str(path), stdout=out, stderr=out)
    assert DailyReading.objects.count() == 1
    assert AuditEvent.objects.filter(action="import").first().actor_name == "command:import-power"


def test_page_names_bad_rows_then_takes_a_good_file(world: World) -> None:
    client = world.client("bureau")
    bad = csv_bytes([(own(world), "2022-09-01", -1)])
    bad.name = "grid.csv"
    response = client.post("/imports/power/", {"file": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Energy (kWh)" in page and "-1 is negative." in page
    assert [(e.row, e.label) for e in response.context["check"].errors] == [(2, "Energy (kWh)")]
    good = csv_bytes([(own(world), "2022-09-01", 10), (own(world), "2022-09-03", 30)])
    good.name = "grid.csv"
    response = client.post("/imports/power/", {"file": good})
    assert response.status_code == 200 and "Replaces data held" in response.content.decode()
    assert not PowerImport.objects.exists()
    upload = Upload.objects.get(purpose="power")
    response = client.post(f"/imports/power/{upload.pk}/confirm/")
    batch = PowerImport.objects.get()
    assert response.status_code == 302 and response["Location"] == "/power/imports/"
    detail = client.get(f"/power/imports/{batch.pk}/").content.decode()
    assert "2022-09-02" in detail and own(world) in detail
    listing = client.get("/power/imports/").content.decode()
    assert "grid.csv" in listing


def test_api_import_answers_row_errors(world: World) -> None:
    client = world.client("bureau")
    body = csv_bytes([(own(world), "2022-09-01", "x")])
    body.name = "grid.csv"
    response = client.post("/api/imports/power", {"file": body})
    assert response.status_code == 400
    assert response.json()["errors"] == {"row 2, Energy (kWh)": ["x is not a number."]}
    body = csv_bytes([(own(world), "2022-09-01", "5")])
    body.name = "grid.csv"
    response = client.post("/api/imports/power", {"file": body})
    assert response.status_code == 200 and response.json()["rows"] == 1
    assert response.json()["written"] == 1 and DailyReading.objects.count() == 1


def test_template_downloads_with_every_column(world: World) -> None:
    PowerAccount.objects.create(enterprise=world.enterprise, number="0512345678")
    response = world.client("bureau").get("/imports/power/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["Power account", "Date", "Energy (kWh)"]
    # The example row passes its own check.
    assert POWER_IMPORTER.check(world.users["bureau"], "template.xlsx", response.content).ok
