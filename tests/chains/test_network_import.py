"""Supply links imported from Excel or CSV: Chinese or English headers, "40%" or 0.4, all or
nothing with every bad row named; the page, the API and the command."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from keepline.chains import importing
from keepline.chains.models import SupplyLink
from keepline.chains.services.network import import_links
from keepline.core.errors import InvalidInput
from keepline.core.models import AuditEvent
from keepline.enterprises.models import Enterprise
from tests.chains.support_network import HEADER_EN, csv_bytes, firm, link, xlsx
from tests.conftest import World


@pytest.fixture
def firms(world: World) -> dict[str, Enterprise]:
    return {
        "glass": firm(1, "江阳测试玻璃有限公司", world.jiangyang),
        "box": firm(2, "江阳测试包装有限公司", world.jiangyang, industry="22"),
        "naxi": firm(3, "纳溪测试玻璃有限公司", world.naxi),
        "liquor": world.enterprise,
    }


def _rows(data: bytes, name: str = "links.xlsx") -> list[tuple[int, dict[str, object]]]:
    return importing.read_file(name, data)


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
    result = import_links(actor=world.users["district"], rows=_rows(data))
    assert result.ok and (result.created, result.updated) == (2, 0)
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
    result = import_links(actor=world.users["district"], rows=_rows(again))
    assert (result.created, result.updated) == (0, 1)
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
    result = import_links(actor=world.users["bureau"], rows=_rows(data, "links.csv"))
    assert result.created == 1
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
    result = import_links(actor=world.users["district"], rows=_rows(data))
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
    result = import_links(actor=world.users["bureau"], rows=_rows(data))
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
    result = import_links(actor=world.users["district"], rows=_rows(data))
    assert [(e.row, e.column) for e in result.errors] == [(2, "supplier")]
    assert "see" in result.errors[0].message


def test_check_only_writes_nothing(world: World, firms: dict[str, Enterprise]) -> None:
    data = xlsx([[firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", 7, "", ""]])
    result = import_links(actor=world.users["district"], rows=_rows(data), check_only=True)
    assert result.ok and result.checked == 1 and result.created == 0
    assert not SupplyLink.objects.exists()


def test_a_file_without_a_required_column_is_refused_whole(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        _rows(xlsx([["a", "b"]], header=["供应商", "客户"]))
    assert "Product" in caught.value.message and "Share" in caught.value.message


def test_the_page_lists_every_bad_row_and_the_template_downloads(
    world: World, firms: dict[str, Enterprise]
) -> None:
    client = world.client("district")
    template = client.get("/chains/links/import/template.xlsx")
    assert template.status_code == 200
    rows = _rows(template.content)
    assert rows[0][1]["share"] == "40%"
    data = xlsx(
        [
            [firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "4000%", 7, "", ""],
            [firms["glass"].uscc, firms["liquor"].uscc, "", "30", "40%", -1, "也许", ""],
        ]
    )
    response = client.post(
        "/chains/links/import/", {"file": SimpleUploadedFile("links.xlsx", data)}
    )
    assert response.status_code == 400
    body = response.content.decode()
    for where in (
        'data-row="2" data-column="share"',
        'data-row="3" data-column="product"',
        'data-row="3" data-column="stock_days"',
        'data-row="3" data-column="substitutes"',
    ):
        assert where in body
    good = xlsx([[firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", 7, "", ""]])
    checked = client.post(
        "/chains/links/import/", {"file": SimpleUploadedFile("l.xlsx", good), "check_only": "on"}
    )
    assert checked.status_code == 200 and 'id="import-ready"' in checked.content.decode()
    assert not SupplyLink.objects.exists()
    done = client.post("/chains/links/import/", {"file": SimpleUploadedFile("l.xlsx", good)})
    assert done.status_code == 302 and SupplyLink.objects.count() == 1


def test_the_api_answers_400_naming_the_rows(world: World, firms: dict[str, Enterprise]) -> None:
    client = world.client("bureau")
    bad = csv_bytes(
        [[firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", "x", "", ""]],
        header=HEADER_EN,
    )
    response = client.post("/api/chains/links/import", {"file": SimpleUploadedFile("l.csv", bad)})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["row 2, Stock (days)"]
    good = csv_bytes(
        [[firms["glass"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", "7", "", ""]]
    )
    response = client.post("/api/chains/links/import", {"file": SimpleUploadedFile("l.csv", good)})
    assert response.status_code == 200
    assert response.json()["created"] == 1 and len(response.json()["links"]) == 1


def test_the_command_checks_then_imports(
    world: World, firms: dict[str, Enterprise], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "links.xlsx"
    path.write_bytes(
        xlsx([[firms["naxi"].uscc, firms["liquor"].uscc, "玻璃酒瓶", "30", "40%", 7, "", ""]])
    )
    call_command("import-links", str(path), "--check")
    assert not SupplyLink.objects.exists()
    call_command("import-links", str(path))
    assert SupplyLink.objects.get().supplier == firms["naxi"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsx([[firms["naxi"].uscc, firms["naxi"].uscc, "玻璃酒瓶", "30", "40%", 7, "", ""]])
    )
    with pytest.raises(CommandError):
        call_command("import-links", str(bad))
    assert "row 2, Customer's credit code" in capsys.readouterr().err
