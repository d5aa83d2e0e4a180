"""Helpers for the supply-network tests: enterprises placed where a test needs them, links
recorded through the service, and files to import."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from keepline.chains.models import SupplyLink
from keepline.chains.services.network import save_link
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from tests.conftest import SYSTEM
from tests.factories import EnterpriseFactory


def firm(
    serial: int, name: str, region: Region, *, park: Park | None = None, industry: str = "30"
) -> Enterprise:
    """An above-size enterprise in `region` (serials from 500 keep clear of other tests')."""
    return EnterpriseFactory(
        serial=500 + serial,
        name=name,
        region=region,
        park=park,
        industry__code=industry,
        annual_output=Decimal("3650.00"),
        employees=100,
    )


def link(
    supplier: Enterprise,
    customer: Enterprise,
    product: str = "玻璃酒瓶",
    *,
    sector: str = "30",
    share: Any = "0.5",
    stock_days: Any = "7",
    substitutes: bool = False,
    actor: Any = SYSTEM,
) -> SupplyLink:
    return save_link(
        actor=actor,
        supplier_id=supplier.pk,
        customer_id=customer.pk,
        product=product,
        sector_code=sector,
        share=share,
        stock_days=stock_days,
        substitutes=substitutes,
    )


HEADER_ZH = [
    "供应商统一社会信用代码",
    "客户统一社会信用代码",
    "产品",
    "行业代码",
    "份额",
    "库存天数",
    "可替代",
    "备注",
]
HEADER_EN = [
    "supplier",
    "customer",
    "product",
    "sector",
    "share",
    "stock_days",
    "substitutes",
    "note",
]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER_ZH) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER_EN) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
