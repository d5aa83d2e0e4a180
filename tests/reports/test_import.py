"""Bulk entry by a park or district from Excel: every bad row named, nothing written unless all
are good; filed reports are corrected, and every change is audited."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from keepline.bubble.models import EnterpriseMode
from keepline.core.models import AuditEvent, Upload
from keepline.enterprises.models import Enterprise
from keepline.reports import services
from keepline.reports.importers import DAILY_REPORT_IMPORTER
from keepline.reports.models import DailyReport, ReportChannel
from keepline.reports.validation import COLUMNS
from tests.conftest import World
from tests.reports.conftest import enterprises

HEADER = [c.key for c in COLUMNS]
DAY = "2022-09-11"


def row(uscc: str, **overrides: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "date": DAY,
        "mode": "closed_loop",
        "staff_on_site": "420",
        "staff_inside": "380",
        "output_value": "152.5",
        "capacity_use": "85",
        "raw_material_days": "12",
        "finished_goods_days": "5",
        "problems": "",
    } | overrides


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(str(r[k]) for k in HEADER) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[dict[str, Any]], header: list[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for r in rows:
        sheet.append([r[k] for k in HEADER])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(world: World, data: bytes, role: str = "district", name: str = "f.csv") -> Any:
    return DAILY_REPORT_IMPORTER.check(world.users[role], name, data)


def test_every_bad_row_is_named_and_nothing_is_written(world: World) -> None:
    good = world.enterprise.uscc
    (other,) = enterprises(1, world.jiangyang)
    rows = [
        row(good),
        row(other.uscc, staff_inside="500"),
        row(world.foreign_enterprise.uscc),
        row("91510500MA62X5QF23"),
        row(good, output_value="-1"),  # same enterprise and date as row 2
        row(other.uscc, date="2999-01-01", mode="running", capacity_use="200"),
        row("", date="someday"),
    ]
    result = check(world, csv_bytes(rows))
    got = {(e.row, e.column) for e in result.errors}
    assert got == {
        (3, "staff_inside"),
        (4, "uscc"),
        (5, "uscc"),
        (6, "output_value"),
        (6, "date"),
        (7, "date"),
        (7, "mode"),
        (7, "capacity_use"),
        (8, "uscc"),
        (8, "date"),
    }
    messages = {(e.row, e.column): e.message for e in result.errors}
    # A foreign enterprise reads like an unknown one: its existence is not told.
    assert messages[(4, "uscc")] == messages[(5, "uscc")].replace(
        "91510500MA62X5QF23", world.foreign_enterprise.uscc
    )
    assert "row 2" in messages[(6, "date")]
    with pytest.raises(Exception, match="nothing was imported"):
        services.import_reports(actor=world.users["district"], check=result)
    assert not DailyReport.objects.exists()
    assert not AuditEvent.objects.filter(object_type="reports.dailyreport").exists()


def test_a_park_may_enter_only_its_own_enterprises(world: World) -> None:
    (outside,) = enterprises(1, world.jiangyang)  # in Jiangyang, not in the park
    result = check(world, csv_bytes([row(world.enterprise.uscc), row(outside.uscc)]), role="park")
    assert [(e.row, e.column) for e in result.errors] == [(3, "uscc")]


def test_good_file_files_and_corrects_with_audit(world: World) -> None:
    others = enterprises(2, world.jiangyang)
    services.submit_report(
        actor=world.users["liaison"],
        enterprise_id=world.enterprise.pk,
        data=row("", staff_on_site="400"),
    )
    unchanged = services.submit_report(
        actor=world.users["district"],
        enterprise_id=others[1].pk,
        data=row("", mode="halted", staff_on_site="0", staff_inside="0"),
    )[0]
    with translation.override("zh-hans"):
        chinese = str(EnterpriseMode.CLOSED_LOOP.label)  # 闭环生产 once translations are built
    data = xlsx_bytes(
        [
            row(world.enterprise.uscc),
            row(others[0].uscc, mode=chinese),
            row(others[1].uscc, mode="halted", staff_on_site=0, staff_inside=0),
            row(others[0].uscc, date=dt.date(2022, 9, 10)),
        ],
        [str(c.label) for c in COLUMNS],  # the template's own headers
    )
    result = check(world, data, name="f.xlsx")
    assert result.ok, result.errors
    assert sum(r["corrects"] for r in result.rows) == 2
    outcome = services.import_reports(actor=world.users["district"], check=result)
    assert (outcome.created, outcome.corrected, outcome.unchanged) == (2, 1, 1)
    corrected = DailyReport.objects.get(enterprise=world.enterprise)
    assert (corrected.staff_on_site, corrected.version, corrected.via) == (
        420,
        2,
        ReportChannel.IMPORT,
    )
    assert DailyReport.objects.get(pk=unchanged.pk).version == 1
    imported = AuditEvent.objects.filter(action="import", object_type="reports.dailyreport")
    assert imported.count() == 2 and {e.actor_name for e in imported} == {"district"}
    correction = AuditEvent.objects.get(action="correct", object_id=str(corrected.pk))
    assert correction.before["staff_on_site"] == 400 and correction.after["staff_on_site"] == 420


def test_upload_preview_then_confirm(world: World) -> None:
    client = world.client("district")
    template = client.get("/imports/daily-reports/template.xlsx")
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert sheet["A1"].value == "Unified social credit code"  # in the reader's language
    response = client.post(
        "/imports/daily-reports/",
        {"file": SimpleUploadedFile("r.csv", csv_bytes([row(world.enterprise.uscc)]))},
    )
    assert response.status_code == 200 and 'id="import-ready"' in response.content.decode()
    upload = Upload.objects.get(purpose="daily-reports")
    assert not DailyReport.objects.exists()
    response = client.post(f"/imports/daily-reports/{upload.pk}/confirm/")
    assert response.status_code == 302
    assert DailyReport.objects.get().enterprise == world.enterprise
    assert not Upload.objects.filter(pk=upload.pk).exists()


def test_a_bad_upload_is_not_kept(world: World) -> None:
    client = world.client("district")
    response = client.post(
        "/imports/daily-reports/",
        {"file": SimpleUploadedFile("r.csv", csv_bytes([row(world.enterprise.uscc, mode="")]))},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="row-errors"' in body and '<code class="small text-secondary">mode</code>' in body
    assert not Upload.objects.exists()
    response = client.post(
        "/imports/daily-reports/", {"file": SimpleUploadedFile("r.txt", b"whatever")}
    )
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()


def test_template_downloads_with_every_column(world: World) -> None:
    # The example row names this credit code; here it is the district's enterprise.
    example = next(c.example for c in COLUMNS if c.key == "uscc")
    Enterprise.objects.filter(pk=world.enterprise.pk).update(uscc=example)
    response = world.client("district").get("/imports/daily-reports/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [str(c.label) for c in COLUMNS]
    result = check(world, response.content, name="template.xlsx")
    assert result.ok, result.errors
