"""`keepline import-links FILE [--check]`: the same all-or-nothing import as the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keepline.chains import importing
from keepline.chains.services.network import import_links
from keepline.core.errors import KeeplineError
from keepline.core.scopes import SystemActor


class Command(BaseCommand):
    help = (
        "Import supply links from an .xlsx or .csv file (supplier and customer credit codes, "
        "product, industry code, share, stock days, substitutes, note): every row is checked, "
        "then all are written or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--check", action="store_true", help="Only check; write nothing.")

    def handle(self, *args: Any, file: Path, check: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        actor = SystemActor("command:import-links")
        try:
            rows = importing.read_file(file.name, file.read_bytes())
            result = import_links(actor=actor, rows=rows, check_only=check)
        except KeeplineError as exc:
            for where, messages in exc.errors.items():
                for message in messages:
                    self.stderr.write(f"{where}: {message}")
            raise CommandError(exc.message) from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} problems found; nothing was imported.")
        if check:
            self.stdout.write(f"{result.checked} rows are good (nothing written: --check).")
            return
        self.stdout.write(
            self.style.SUCCESS(f"{result.created} links added, {result.updated} updated.")
        )
