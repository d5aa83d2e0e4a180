"""Supply links imported from Excel or CSV (the registered import "links"): Chinese or English
headers, "40%" or 0.4, all or nothing with every bad row named; the shared page, the API and
the command."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from keepline.chains.importers import LINK_COLUMNS, LINK_IMPORTER
from keepline.chains.models import SupplyLink
from keepline.chains.services.network import LinkRow
from keepline.core.errors import InvalidInput
from keepline.core.imports import ImportCheck
from keepline.core.models import AuditEvent, Upload
from keepline.enterprises.models import Enterprise
from tests.chains.support_network import HEADER_EN, csv_bytes, firm, link, xlsx
from tests.conftest import ROLES, World

EDITORS = {"admin", "bureau", "district", "park"}


@pytest.fixture
def firms(world: World) -> dict[str, Enterprise]:
    return {
        "glass": firm(1, "江阳测试玻璃有限公司", world.jiangyang),
        "box": firm(2, "江阳测试包装有限公司", world.jiangyang, industry="22"),
        "naxi": firm(3, "纳溪测试玻璃有限公司", world.naxi),
        "liquor": world.enterprise,
    }


def _check(actor: object, data: bytes, name: str = "links.xlsx") -> ImportCheck[LinkRow]:
    return LINK_IMPORTER.check(actor, name, data)  # type: ignore[arg-type]


def _import(actor: object, data: bytes, name: str = "links.xlsx") -> ImportCheck[LinkRow]:
    """Check, and write when every row is good, as the page's confirm does."""
    result, _written = LINK_IMPORTER.run(actor, name, data)  # type: ignore[arg-type]
    return result


def _updating(result: ImportCheck[LinkRow]) -> tuple[int, int]:
    """(links the file adds, links it updates)."""
    updates = sum(1 for r in result.rows if r.replaces)
    return len(result.rows) - updates, updates


def test_a_good_file_with_chinese_headers_is_written_and_a_second_updates(
    world: World, firms: dict[str, Enterprise]
) -> None:
    glass, box, liquor = firms["glass"], firms["box"], firms["liquor"]
    data = xlsx(
        [
            [glass.uscc, liquor.uscc, "玻璃酒瓶", "30", "40%", 7, "是", ""],
            [box.uscc, liquor.uscc, "纸箱", 22, 0.5, "3.5天", "否", "主要供应商"],
        ]
    )
    result = _import(world.users["district"], data)
    assert result.ok and _updating(result) == (2, 0)
    bottle = SupplyLink.objects.get(product="玻璃酒瓶")
    assert (bottle.share, bottle.stock_days, bottle.substitutes) == (
        Decimal("0.400"),
        Decimal("7.0"),
        True,
    )
    boxes = SupplyLink.objects.get(product="纸箱")
    assert (boxes.sector.code, boxes.stock_days, boxes.note) == ("22", Decimal("3.5"), "主要供应商")
    assert AuditEvent.objects.filter(object_type="chains.supplylink", action="import").count() == 2

    again = xlsx([[glass.uscc, liquor.uscc, "玻璃酒瓶", "30", "60%", 2, "", ""]])
    result = _import(world.users["district"], again)
    assert _updating(result) == (0, 1)
    bottle.refresh_from_db()
    assert (bottle.share, bottle.stock_days, bottle.version) == (
        Decimal("0.600"),
        Decimal("2.0"),
        2,
    )


def test_a_csv_file_with_english_headers_reads_the_same(
    world: World, firms: dict[str, Enterprise]
) -> None:
    data = csv_bytes(
        [[firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "0.4", "7", "yes", ""]]
    )
    result = _import(world.users["bureau"], data, "links.csv")
    assert _updating(result) == (1, 0)
    assert SupplyLink.objects.get().substitutes is True


def test_three_bad_rows_are_all_named_and_nothing_is_written(
    world: World, firms: dict[str, Enterprise]
) -> None:
    glass, box, liquor = firms["glass"], firms["box"], firms["liquor"]
    data = xlsx(
        [
            [glass.uscc, liquor.uscc, "玻璃酒瓶", "30", "40%", 7, "", ""],  # row 2: good
            ["91510500000000000X", liquor.uscc, "瓶盖", "30", "10%", 7, "", ""],  # row 3
            [box.uscc, liquor.uscc, "纸箱", "22", "150%", 7, "", ""],  # row 4
            [box.uscc, glass.uscc, "托盘", "ZZ", "20%", 7, "", ""],  # row 5
        ]
    )
    result = _import(world.users["district"], data)
    assert not result.ok
    named = [(e.row, e.column) for e in result.errors]
    assert named == [(3, "supplier"), (4, "share"), (5, "sector")]
    assert str(result.errors[0]).startswith("row 3, Supplier's credit code: ")
    assert "ZZ" in str(result.errors[2])
    assert not SupplyLink.objects.exists()
    assert not AuditEvent.objects.filter(object_type="chains.supplylink").exists()


def test_rows_that_together_cover_more_than_the_whole_need_are_named(
    world: World, firms: dict[str, Enterprise]
) -> None:
    glass, naxi, liquor = firms["glass"], firms["naxi"], firms["liquor"]
    link(naxi, liquor, "瓶盖", share="0.5")  # already recorded
    data = xlsx(
        [
            [glass.uscc, liquor.uscc, "玻璃酒瓶", "30", "40%", 7, "", ""],
            [glass.uscc, liquor.uscc, "玻璃酒瓶", "30", "40%", 7, "", ""],
            [glass.uscc, liquor.uscc, "玻璃瓶盖", "30", "30%", 7, "", ""],
        ]
    )
    result = _import(world.users["bureau"], data)
    errors = [(e.row, e.column) for e in result.errors]
    assert (3, "product") in errors  # the same link as row 2
    share_errors = [e for e in result.errors if e.column == "share"]
    assert [e.row for e in share_errors] == [2, 4]
    assert "1.2" in share_errors[0].message and "2, 4" in share_errors[0].message
    assert SupplyLink.objects.count() == 1


def test_enterprises_outside_what_the_importer_sees_are_refused(
    world: World, firms: dict[str, Enterprise]
) -> None:
    data = xlsx([[firms["naxi"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", 7, "", ""]])
    result = _import(world.users["district"], data)
    assert [(e.row, e.column) for e in result.errors] == [(2, "supplier")]
    assert "see" in result.errors[0].message


def test_check_only_writes_nothing(world: World, firms: dict[str, Enterprise]) -> None:
    data = xlsx([[firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", 7, "", ""]])
    result = _check(world.users["district"], data)
    assert result.ok and result.total == 1 and _updating(result) == (1, 0)
    assert not SupplyLink.objects.exists()


def test_a_file_without_a_required_column_is_refused_whole(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        _check(world.users["district"], xlsx([["a", "b"]], header=["供应商", "客户"]))
    assert "Product" in caught.value.message and "Share" in caught.value.message


def test_the_page_lists_every_bad_row_and_the_template_downloads(
    world: World, firms: dict[str, Enterprise]
) -> None:
    client = world.client("district")
    template = client.get("/imports/links/template.xlsx")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == [str(c.label) for c in LINK_COLUMNS]
    assert [c.value for c in sheet[2]][4] == "40%"
    # The example row passes its own check, once its two enterprises are in the registry.
    for serial, column in ((4, "supplier"), (5, "customer")):
        example = next(c.example for c in LINK_COLUMNS if c.key == column)
        made = firm(serial, f"模板示例企业{serial}", world.jiangyang)
        Enterprise.objects.filter(pk=made.pk).update(uscc=example)
    assert _check(world.users["district"], template.content).ok
    data = xlsx(
        [
            [firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "4000%", 7, "", ""],
            [firms["glass"].uscc, firms["liquor"].uscc, "", "30", "40%", -1, "也许", ""],
        ]
    )
    response = client.post("/imports/links/", {"file": SimpleUploadedFile("links.xlsx", data)})
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["check"].errors] == [
        (2, "share"),
        (3, "product"),
        (3, "stock_days"),
        (3, "substitutes"),
    ]
    good = xlsx([[firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", 7, "", ""]])
    checked = client.post("/imports/links/", {"file": SimpleUploadedFile("l.xlsx", good)})
    assert checked.status_code == 200 and 'id="import-ready"' in checked.content.decode()
    assert not SupplyLink.objects.exists()
    upload = Upload.objects.get(purpose="links")
    done = client.post(f"/imports/links/{upload.pk}/confirm/")
    assert done.status_code == 302 and done["Location"] == "/chains/links/"
    assert SupplyLink.objects.count() == 1


def test_only_those_who_keep_the_network_may_import(
    world: World, firms: dict[str, Enterprise]
) -> None:
    # The supplier lies in the world's park, so the park's officials keep the link too.
    inpark = firm(7, "园区测试玻璃有限公司", world.jiangyang, park=world.park)
    good = csv_bytes([[inpark.uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "10%", "5", "", ""]])
    foreign = firm(6, "翠屏测试玻璃有限公司", world.yibin_district, park=world.foreign_park)
    theirs = csv_bytes([[foreign.uscc, world.foreign_enterprise.uscc, "瓶盖", "30", "10%", "5"]])
    for role in ROLES:
        client = world.client(role)
        editor = role in EDITORS
        assert client.get("/imports/links/").status_code == (200 if editor else 403), role
        template = client.get("/imports/links/template.xlsx")
        assert template.status_code == (200 if editor else 403), role
        own = client.post(
            "/api/imports/links", {"file": SimpleUploadedFile("l.csv", good), "check": "true"}
        )
        assert own.status_code == (200 if editor else 403), role
        other = client.post(
            "/api/imports/links", {"file": SimpleUploadedFile("l.csv", theirs), "check": "true"}
        )
        # The administrator sees everywhere; the others with the right do not find them.
        assert other.status_code == (200 if role == "admin" else 400 if editor else 403), role
    assert not SupplyLink.objects.exists()


def test_the_api_answers_400_naming_the_rows(world: World, firms: dict[str, Enterprise]) -> None:
    client = world.client("bureau")
    bad = csv_bytes(
        [[firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", "x", "", ""]],
        header=HEADER_EN,
    )
    response = client.post("/api/imports/links", {"file": SimpleUploadedFile("l.csv", bad)})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["row 2, Stock (days)"]
    good = csv_bytes(
        [[firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", "7", "", ""]]
    )
    response = client.post("/api/imports/links", {"file": SimpleUploadedFile("l.csv", good)})
    assert response.status_code == 200
    assert response.json()["written"] == 1 and SupplyLink.objects.count() == 1


def test_the_command_checks_then_imports(
    world: World, firms: dict[str, Enterprise], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "links.xlsx"
    path.write_bytes(
        xlsx([[firms["naxi"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", 7, "", ""]])
    )
    call_command("import", "links", str(path), "--check")
    assert not SupplyLink.objects.exists()
    call_command("import", "links", str(path))
    assert SupplyLink.objects.get().supplier == firms["naxi"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsx([[firms["naxi"].uscc, firms["naxi"].uscc, "玻璃酒瓶", "30", "40%", 7, "", ""]])
    )
    with pytest.raises(CommandError):
        call_command("import", "links", str(bad))
    assert "row 2, Customer's credit code" in capsys.readouterr().err
