"""`keepline import-power FILE`: the same all-or-nothing meter-data import as the page."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from keepline.core.errors import KeeplineError
from keepline.core.scopes import SystemActor
from keepline.power.services import import_power


class Command(BaseCommand):
    help = (
        "Import meter data (daily: account,date,kwh; interval: account,time,kwh) from .csv, "
        ".xlsx or .parquet: every row is checked, and the file is written whole or not at all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace each account's readings between its first and last day in the file.",
        )

    def handle(self, *args: Any, file: Path, replace: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        started = time.perf_counter()
        with tqdm(unit="row", desc=file.name, disable=options["verbosity"] == 0) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                batch = import_power(
                    actor=SystemActor("command:import-power"),
                    filename=file.name,
                    stream=file,
                    replace=replace,
                    progress=progress,
                )
            except KeeplineError as exc:
                for where, messages in exc.errors.items():
                    for message in messages:
                        self.stderr.write(f"{where}: {message}")
                raise CommandError(exc.message) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{batch.rows:,} {batch.get_kind_display().lower()} rows for {batch.accounts:,} "
                f"accounts, {batch.first_day} to {batch.last_day}, imported in {seconds:.1f} s "
                f"({batch.rows / max(seconds, 1e-9):,.0f} rows/s); {batch.replaced:,} replaced."
            )
        )
        for gap in batch.gaps:
            days = ", ".join(a if a == b else f"{a}..{b}" for a, b in gap["ranges"])
            self.stdout.write(f"gap: account {gap['account']} lacks {gap['missing']} days: {days}")
