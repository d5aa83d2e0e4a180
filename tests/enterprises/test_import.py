"""Import from Excel and CSV: every bad row is named, nothing is written unless all are good."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from keepline.core.imports import ImportCheck
from keepline.core.models import AuditEvent
from keepline.core.scopes import SystemActor
from keepline.enterprises import services
from keepline.enterprises.importers import ENTERPRISE_IMPORTER
from keepline.enterprises.models import Enterprise, PowerAccount
from keepline.enterprises.validation import COLUMNS
from tests.conftest import World, make_uscc

HEADER = [c.key for c in COLUMNS]


def row(serial: int, **overrides: Any) -> dict[str, Any]:
    base = {
        "uscc": make_uscc(serial),
        "name": f"导入测试企业{serial}",
        "region": "510502",
        "park": "OWN-PARK",
        "industry": "15",
        "above_size": "是",
        "annual_output": "1234.5",
        "employees": "120",
        "capacity_note": "",
        "liaison_name": "陈红",
        "liaison_phone": "13512345678",
        "power_accounts": f"88{serial:08d}",
    }
    base.update(overrides)
    return base


def csv_bytes(rows: list[dict[str, Any]], header: list[str] = HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(r.get(k, "")) for k in header) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[dict[str, Any]], header: list[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for r in rows:
        sheet.append([r.get(k, "") for k in HEADER])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def check(data: bytes, name: str = "f.csv", actor: Any = None) -> ImportCheck[Any]:
    return ENTERPRISE_IMPORTER.check(actor or SystemActor("test"), name, data)


def test_every_bad_row_is_reported_with_row_column_and_reason(world: World) -> None:
    bad_check = make_uscc(11)[:-1] + ("0" if make_uscc(11)[-1] != "0" else "1")
    rows = [
        row(10),
        row(11, uscc=bad_check),
        row(12, region="999999"),
        row(13, uscc=world.enterprise.uscc),
        row(10, name="同一代码第二行"),
        row(14, name=""),
        row(15, annual_output="-5", employees="lots"),
        row(16, industry="99", park="NO-SUCH-PARK"),
        row(17, power_accounts=world.enterprise.power_accounts.get().number),
        row(18, park="FOREIGN-PARK"),
    ]
    result = check(csv_bytes(rows))
    got = {(e.row, e.column) for e in result.errors}
    assert got == {
        (3, "uscc"),
        (4, "region"),
        (5, "uscc"),
        (6, "uscc"),
        (6, "power_accounts"),
        (7, "name"),
        (8, "annual_output"),
        (8, "employees"),
        (9, "industry"),
        (9, "park"),
        (10, "power_accounts"),
        (11, "park"),
    }
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "check character" in messages[(3, "uscc")]
    assert "999999" in messages[(4, "region")]
    assert "Already registered" in messages[(5, "uscc")]
    assert "row 2" in messages[(6, "uscc")]
    with pytest.raises(Exception, match="nothing was imported"):
        services.import_enterprises(actor=SystemActor("test"), check=result)
    assert Enterprise.objects.count() == 2


def test_good_csv_imports_rows_contacts_accounts_and_audit(world: World) -> None:
    result = check(csv_bytes([row(20), row(21, park="", above_size="no")]))
    assert result.ok, result.errors
    created = services.import_enterprises(actor=SystemActor("command:test"), check=result)
    assert len(created) == 2
    e = Enterprise.objects.get(uscc=make_uscc(20))
    assert e.park == world.park and e.above_size and e.annual_output == Decimal("1234.50")
    assert e.contacts.get().phone == "13512345678"
    assert PowerAccount.objects.filter(enterprise=e).count() == 1
    assert not Enterprise.objects.get(uscc=make_uscc(21)).above_size
    events = AuditEvent.objects.filter(action="import", actor_name="command:test")
    assert events.count() == 2
    assert events.filter(object_id=str(e.pk), region=e.region).exists()


def test_xlsx_with_chinese_headers_reads_back(world: World) -> None:
    from django.utils.translation import override

    with override("zh-hans"):
        header = [str(c.label) for c in COLUMNS]
    result = check(xlsx_bytes([row(30)], header), name="企业.xlsx")
    assert result.ok, result.errors
    assert result.rows[0]["uscc"] == make_uscc(30)


def test_missing_required_column_is_named(world: World) -> None:
    with pytest.raises(Exception, match="Columns missing") as info:
        check(csv_bytes([row(40)], header=[k for k in HEADER if k != "region"]))
    assert "errors" in info.value.as_dict()  # type: ignore[attr-defined]


def test_rows_outside_the_actors_area_are_refused(world: World) -> None:
    result = check(csv_bytes([row(50)]), actor=world.other_user)
    assert [(e.row, e.column) for e in result.errors] == [(2, "region")]


def test_wrong_file_type_and_unreadable_xlsx(world: World) -> None:
    with pytest.raises(Exception, match=r"\.xlsx or \.csv"):
        check(b"x", name="a.txt")
    with pytest.raises(Exception, match="not a readable"):
        check(b"not a zip", name="a.xlsx")


def test_gb18030_csv_is_read(world: World) -> None:
    data = csv_bytes([row(60)]).decode().encode("gb18030")
    assert check(data).rows[0]["name"] == "导入测试企业60"


def test_command_imports_and_rejects(world: World, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([row(70), row(71)]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([row(72), row(73, region="1")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problems found"):
        call_command("import", "enterprises", str(bad), verbosity=0, stderr=err)
    assert "row 3, Region code: Unknown" in err.getvalue()
    assert not Enterprise.objects.filter(uscc=make_uscc(72)).exists()
    out = io.StringIO()
    call_command("import", "enterprises", str(good), verbosity=0, stdout=out)
    assert "2 rows imported" in out.getvalue()
    assert AuditEvent.objects.filter(actor_name="command:import-enterprises").count() == 2


def test_upload_page_previews_errors_then_confirms(world: World) -> None:
    client = world.client("district")
    bad = io.BytesIO(csv_bytes([row(80), row(81, employees="-1")]))
    bad.name = "bad.csv"
    response = client.post("/imports/enterprises/", {"file": bad})
    assert response.status_code == 400
    assert response.context["check"].errors[0].row == 3
    assert response.context["upload"] is None
    good = io.BytesIO(csv_bytes([row(82)]))
    good.name = "good.csv"
    response = client.post("/imports/enterprises/", {"file": good})
    upload = response.context["upload"]
    assert not Enterprise.objects.filter(uscc=make_uscc(82)).exists()
    response = client.post(f"/imports/enterprises/{upload.pk}/confirm/")
    assert response.status_code == 302
    assert Enterprise.objects.filter(uscc=make_uscc(82)).exists()
    assert AuditEvent.objects.filter(action="import", actor_name="district").count() == 1


def test_template_downloads_with_every_column(world: World) -> None:
    response = world.client("district").get("/imports/enterprises/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == [str(c.label) for c in COLUMNS]
    # The example row passes its own check.
    assert check(response.content, name="template.xlsx", actor=world.users["district"]).ok


def test_an_unreadable_file_is_named_once_at_the_file_field(world: World) -> None:
    client = world.client("district")
    broken = io.BytesIO(b"not a zip")
    broken.name = "broken.xlsx"
    response = client.post("/imports/enterprises/", {"file": broken})
    assert response.status_code == 400
    form = response.context["form"]
    assert [str(e) for e in form.errors["file"]] == ["This is not a readable .xlsx file."]
    assert not form.non_field_errors()
