"""`keepline import-problems FILE [--check]`: the same all-or-nothing import as the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keepline.core.errors import KeeplineError
from keepline.core.scopes import SystemActor
from keepline.problems import importing
from keepline.problems.services import importing as importing_services


class Command(BaseCommand):
    help = (
        "Import problems from an .xlsx or .csv file (统一社会信用代码/uscc, category, urgency, "
        "title, description, filed at): every row is checked, then all are filed or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--check", action="store_true", help="Only check; file nothing.")

    def handle(self, *args: Any, file: Path, check: bool, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        actor = SystemActor("command:import-problems")
        try:
            result = importing.check_file(actor=actor, filename=file.name, data=file.read_bytes())
            if not result.ok:
                for error in result.errors:
                    self.stderr.write(str(error))
                raise CommandError(f"{len(result.errors)} problems found; nothing was imported.")
            if check:
                self.stdout.write(f"{len(result.rows)} rows are good (nothing written: --check).")
                return
            created = importing_services.import_problems(actor=actor, rows=result.rows)
        except KeeplineError as exc:
            for where, messages in exc.errors.items():
                for message in messages:
                    self.stderr.write(f"{where}: {message}")
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"{len(created)} problems imported."))
