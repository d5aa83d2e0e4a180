"""The meter-data import on the shared import page, `keepline import power FILE` and
`POST /api/imports/power`: the file is read by the app's own streaming reader (CSV, Excel,
Parquet of any size; `power.importing`), checked whole (`power.checking`), then written by
`services.imports.import_power`.

Each account's data between its first and last day in the file is replaced by the file's: the
grid company re-delivers a period to correct it. The preview marks every row that replaces
data held."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.imports import ImportCheck, Importer, Progress, register
from keepline.core.scopes import Actor, require_role
from keepline.power.checking import MeterCheck, MeterRow, check_file
from keepline.power.importing import COLUMNS
from keepline.power.models import DailyReading, ImportKind
from keepline.power.services.imports import import_power


class PowerImporter(Importer[MeterRow]):
    kind = "power"
    title = gettext_lazy("Import meter data")
    # The template's columns: daily energy. Interval files have "time" where "date" is.
    columns = COLUMNS[ImportKind.DAILY]
    model = DailyReading
    preview = (
        (gettext_lazy("Row"), lambda r: r.row),
        (gettext_lazy("Power account"), lambda r: r.account),
        (gettext_lazy("Date or time"), lambda r: r.when),
        (gettext_lazy("Energy (kWh)"), lambda r: r.kwh),
        (gettext_lazy("Replaces data held"), lambda r: _("yes") if r.replaces else ""),
    )

    def authorize(self, actor: Actor) -> None:
        # Meter data is the grid's, not an area's: the right is the one to change readings.
        require_role(actor, DailyReading, "change")

    def check(
        self, actor: Actor, filename: str, data: bytes, progress: Progress | None = None
    ) -> MeterCheck:
        """The whole file through the streaming reader (never `core.tabular.read_table`)."""
        self.authorize(actor)
        return check_file(actor, filename, data, progress)

    def write(self, actor: Actor, check: ImportCheck[Any]) -> int:
        if not isinstance(check, MeterCheck):
            raise TypeError("a meter-data import writes the check of its own file")
        return import_power(actor=actor, check=check).rows

    def done_url(self) -> str:
        return reverse("power:imports")


POWER_IMPORTER = PowerImporter()
register(POWER_IMPORTER)
