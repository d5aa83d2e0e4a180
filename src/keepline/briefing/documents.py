"""The daily briefing as a page, a Word document and an Excel workbook, from the same sections."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Font

from keepline.briefing.sections import BriefingContext, Section, section_builders
from keepline.core.scopes import Actor
from keepline.reports.indicators.computing import compute
from keepline.reports.indicators.scope import FigureScope


@dataclass(frozen=True)
class Briefing:
    """One area's briefing for one day."""

    title: str
    area: str
    day: dt.date
    as_of: dt.datetime
    scope: FigureScope
    sections: list[Section]


def as_of_for(day: dt.date) -> dt.datetime:
    """A past day is briefed as it stood at its end; today, as it stands now."""
    now = timezone.localtime()
    if day >= now.date():
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def build(actor: Actor, scope: FigureScope, day: dt.date) -> Briefing:
    as_of = as_of_for(day)
    figures = compute(actor, scope, as_of)
    ctx = BriefingContext(actor=actor, scope=scope, day=day, as_of=as_of, figures=figures)
    sections = [s for s in (build_section(ctx) for build_section in section_builders()) if s]
    area = str(figures.area) if figures.area else _("your area")
    return Briefing(
        title=_("Daily briefing: %(area)s, %(day)s") % {"area": area, "day": day.isoformat()},
        area=area,
        day=day,
        as_of=as_of,
        scope=scope,
        sections=sections,
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def to_docx(briefing: Briefing) -> bytes:
    """A Word document: each section's sentences in Chinese then English, then its tables."""
    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(briefing.title, level=0)
    stamp = timezone.localtime(briefing.as_of).strftime("%Y-%m-%d %H:%M")
    document.add_paragraph(_("As of %(time)s (Asia/Shanghai).") % {"time": stamp})
    for section in briefing.sections:
        document.add_heading(section.title, level=1)
        for zh, en in section.sentences:
            document.add_paragraph(zh)
            document.add_paragraph(en).runs[0].italic = True
        for table in section.tables:
            document.add_paragraph(table.title).runs[0].bold = True
            grid = document.add_table(rows=1, cols=len(table.headers))
            grid.style = "Table Grid"
            for cell, header in zip(grid.rows[0].cells, table.headers, strict=True):
                cell.text = header
            for row in table.rows:
                for cell, value in zip(grid.add_row().cells, row, strict=True):
                    cell.text = _text(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_xlsx(briefing: Briefing) -> bytes:
    """An Excel workbook: a sheet of key sentences, then one sheet per section's tables."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Briefing")[:31]
    summary.append([briefing.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([_("As of"), timezone.localtime(briefing.as_of).replace(tzinfo=None)])
    summary.append([])
    summary.append([_("Section"), _("Chinese"), _("English")])
    for section in briefing.sections:
        for zh, en in section.sentences:
            summary.append([section.title, zh, en])
    for section in briefing.sections:
        if not section.tables:
            continue
        sheet = book.create_sheet(section.title[:31])
        for table in section.tables:
            sheet.append([table.title])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            sheet.append(table.headers)
            for row in table.rows:
                sheet.append([v if isinstance(v, int | float | Decimal) else _text(v) for v in row])
            sheet.append([])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
