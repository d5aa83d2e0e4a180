"""Bulk entry of daily reports by a park or district from Excel: every row checked against the
enterprises the actor may report for, then all written by `services.import_reports`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.imports import ImportCheck, Importer, Progress, Rows, register
from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import Enterprise
from keepline.reports import rules, selectors, services
from keepline.reports.models import DailyReport
from keepline.reports.validation import COLUMNS, clean_report, mode_names

Row = dict[str, Any]


class DailyReportImporter(Importer[Row]):
    kind = "daily-reports"
    title = gettext_lazy("Import daily reports")
    columns = COLUMNS
    model = DailyReport
    preview = (
        (gettext_lazy("Row"), lambda r: r["row"]),
        (gettext_lazy("Enterprise"), lambda r: r["enterprise"].name),
        (gettext_lazy("Date"), lambda r: r["date"].isoformat()),
        (gettext_lazy("Mode"), lambda r: r["mode"]),
        (gettext_lazy("Staff on site"), lambda r: r["staff_on_site"]),
        (gettext_lazy("Output (10k CNY)"), lambda r: r["output_value"]),
        (gettext_lazy("Corrects a filed report"), lambda r: _("yes") if r["corrects"] else ""),
    )

    def check_rows(
        self, actor: Actor, rows: Rows, progress: Progress | None = None
    ) -> ImportCheck[Row]:
        """Each row names an enterprise by credit code, which must be one the actor may report
        for; a code and date may appear once in a file. A foreign enterprise reads like an
        unknown one, so its existence is not told."""
        numbered = list(rows)
        codes = {str(raw.get("uscc") or "").strip().upper() for _n, raw in numbered}
        enterprises = {
            e.uscc: e
            for e in visible(Enterprise.objects.filter(uscc__in=codes), actor).select_related(
                "region", "park"
            )
        }
        today = timezone.localdate()
        modes = mode_names()
        result: ImportCheck[Row] = ImportCheck()
        seen: dict[tuple[str, dt.date], int] = {}
        for number, raw in numbered:
            values, errors = clean_report(raw, today=today, modes=modes)
            code = str(raw.get("uscc") or "").strip().upper()
            enterprise = enterprises.get(code)
            if not code:
                errors.setdefault("uscc", []).append(_("This field is required."))
            elif enterprise is None:
                errors.setdefault("uscc", []).append(
                    _("No enterprise with this code in your area: %(code)s.") % {"code": code}
                )
            elif not rules.may_report(actor, enterprise):
                errors.setdefault("uscc", []).append(
                    _("You may not report for %(name)s.") % {"name": enterprise}
                )
            if code and "date" in values:
                key = (code, values["date"])
                if key in seen:
                    errors.setdefault("date", []).append(
                        _("The same enterprise and date as row %(row)s.") % {"row": seen[key]}
                    )
                seen.setdefault(key, number)
            for column, messages in errors.items():
                for message in messages:
                    result.error(number, column, message)
            if not errors:
                result.rows.append(values | {"enterprise": enterprise, "row": number})
            if progress:
                progress(1)
        if result.rows:
            filed = selectors.filed_reports(result.rows)
            for r in result.rows:
                r["corrects"] = (r["enterprise"].pk, r["date"]) in filed
        return result

    def write(self, actor: Actor, check: ImportCheck[Row]) -> int:
        outcome = services.import_reports(actor=actor, check=check)
        return outcome.created + outcome.corrected

    def done_url(self) -> str:
        return reverse("reports:list") + "?sort=-submitted"


DAILY_REPORT_IMPORTER = register(DailyReportImporter())
