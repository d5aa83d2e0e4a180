"""`keepline import-enterprises FILE`: the same all-or-nothing import as the page, with progress."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from keepline.core.errors import KeeplineError
from keepline.core.scopes import SystemActor
from keepline.core.tabular import read_table
from keepline.enterprises import services
from keepline.enterprises.validation import COLUMNS


class Command(BaseCommand):
    help = (
        "Import enterprises from an .xlsx or .csv file: every row is checked, then all are written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--check", action="store_true", help="Only check; write nothing.")

    def handle(self, *args: Any, file: Path, check: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        actor = SystemActor("command:import-enterprises")
        started = time.perf_counter()
        try:
            total, rows = read_table(
                file.name, file.read_bytes(), COLUMNS, max_rows=settings.KEEPLINE_IMPORT_MAX_ROWS
            )
            with tqdm(
                total=total, unit="row", desc="checking", disable=options["verbosity"] == 0
            ) as bar:
                result = services.check_import(actor=actor, rows=rows, progress=bar.update)
        except KeeplineError as exc:
            raise CommandError(exc.message) from exc
        if not result.ok:
            for e in result.errors:
                self.stderr.write(f"row {e.row}, column {e.column}: {e.message}")
            raise CommandError(f"{len(result.errors)} problems found; nothing was imported.")
        if check:
            self.stdout.write(f"{len(result.rows)} rows are good (nothing written: --check).")
            return
        created = services.import_enterprises(actor=actor, check=result)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"{len(created)} enterprises imported in {seconds:.1f} s.")
        )
