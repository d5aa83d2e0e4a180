"""`keepline import KIND FILE [--check]`: any registered import, as the page runs it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from keepline.core.errors import KeeplineError
from keepline.core.imports import importer_for, importers
from keepline.core.scopes import SystemActor


class Command(BaseCommand):
    help = (
        "Import a file (.xlsx or .csv): every row is checked, then all are written, or none. "
        "KIND is one of the registered imports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[i.kind for i in importers()])
        parser.add_argument("file", type=Path)
        parser.add_argument("--check", action="store_true", help="Only check; write nothing.")

    def handle(self, *args: Any, kind: str, file: Path, check: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        importer = importer_for(kind)
        actor = SystemActor(f"command:import-{kind}")
        started = time.perf_counter()
        quiet = options["verbosity"] == 0
        try:
            with tqdm(unit="row", desc="checking", disable=quiet) as bar:
                result = importer.check(actor, file.name, file.read_bytes(), bar.update)
            if not result.ok:
                for error in result.errors:
                    self.stderr.write(str(error))
                raise CommandError(f"{len(result.errors)} problems found; nothing was imported.")
            if check:
                self.stdout.write(f"{len(result.rows)} rows are good (nothing written: --check).")
                return
            with transaction.atomic():
                written = importer.write(actor, result)
        except KeeplineError as exc:
            raise CommandError(exc.message) from exc
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"{written} rows imported in {seconds:.1f} s."))
