"""The registry's file import: every row checked against the registry and the actor's area,
then all written by `services.import_enterprises`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.imports import ImportCheck, Importer, Progress, Rows, register
from keepline.core.scopes import Actor, may_place
from keepline.enterprises import services
from keepline.enterprises.models import Enterprise
from keepline.enterprises.validation import COLUMNS, Lookups, clean_enterprise

Row = dict[str, Any]


class EnterpriseImporter(Importer[Row]):
    kind = "enterprises"
    title = gettext_lazy("Import enterprises")
    columns = COLUMNS
    model = Enterprise
    preview = (
        (gettext_lazy("Credit code"), lambda r: r["uscc"]),
        (gettext_lazy("Name"), lambda r: r["name"]),
        (gettext_lazy("Region"), lambda r: r["region"]),
        (gettext_lazy("Industry"), lambda r: r["industry"]),
        (gettext_lazy("Output (10k CNY)"), lambda r: r["annual_output"]),
    )

    def check_rows(
        self, actor: Actor, rows: Rows, progress: Progress | None = None
    ) -> ImportCheck[Row]:
        """Duplicates are caught within the file as well as against the database, and rows
        outside the actor's area are refused."""
        lookups = Lookups.load()
        result: ImportCheck[Row] = ImportCheck()
        seen_uscc: dict[str, int] = {}
        seen_accounts: dict[str, int] = {}
        for number, raw in rows:
            values, errors = clean_enterprise(raw, lookups)
            for column, messages in errors.items():
                for message in messages:
                    result.error(number, column, message)
            code = values.get("uscc")
            if code:
                if code in seen_uscc:
                    result.error(
                        number, "uscc", _("Same code as row %(row)s.") % {"row": seen_uscc[code]}
                    )
                seen_uscc.setdefault(code, number)
            for account in values.get("power_accounts", []):
                if account in seen_accounts:
                    result.error(
                        number,
                        "power_accounts",
                        _("Account %(value)s is also in row %(row)s.")
                        % {"value": account, "row": seen_accounts[account]},
                    )
                seen_accounts.setdefault(account, number)
            if not errors and not may_place(
                actor, "change", Enterprise, region=values["region"], park=values.get("park")
            ):
                result.error(number, "region", _("This is outside your area."))
            if not errors:
                result.rows.append(values)
            if progress:
                progress(1)
        return result

    def write(self, actor: Actor, check: ImportCheck[Row]) -> int:
        return len(services.import_enterprises(actor=actor, check=check))

    def done_url(self) -> str:
        return reverse("enterprises:list") + "?sort=-created"


ENTERPRISE_IMPORTER = register(EnterpriseImporter())
