"""`keepline demo`: migrate, build the demo city once, print its logins and serve it."""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from keepline.core.errors import KeeplineError
from keepline.demo.build import MIN_SIZE, build_city
from keepline.demo.city.people import DEMO_PASSWORD, demo_logins
from keepline.enterprises.models import Enterprise


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = (
        "Build the demo city (a synthetic Luzhou) unless the database already has enterprises, "
        "print the demo logins and run the development server."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2022, help="Same seed, same city.")
        parser.add_argument(
            "--size", type=int, default=1000, help="Above-size enterprises to create."
        )
        parser.add_argument("--no-serve", action="store_true", help="Build and print only.")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Insist on a fresh build: refused if the database already has enterprises.",
        )
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(
        self,
        *args: Any,
        seed: int,
        size: int,
        no_serve: bool,
        rebuild: bool,
        addrport: str,
        **options: Any,
    ) -> None:
        if size < MIN_SIZE:
            raise CommandError(f"--size must be at least {MIN_SIZE}.")
        call_command("migrate", verbosity=0, interactive=False)
        existing = Enterprise.objects.count()
        if existing and rebuild:
            # The audit trail is append-only, so a city cannot be taken down in place.
            raise CommandError(
                f"The database already holds {existing} enterprises and its audit trail cannot be "
                f"erased. Delete {self._database_name()} and run `keepline demo` again."
            )
        if existing:
            self.stdout.write(f"The database already holds {existing} enterprises: not rebuilt.")
        else:
            self.stdout.write(
                f"Building the demo city: seed {seed}, {size} above-size enterprises…"
            )
            started = time.perf_counter()
            try:
                build_city(seed=seed, size=size, stdout=self.stdout)
            except KeeplineError as exc:
                raise CommandError(f"{exc.message} {exc.errors or ''}".strip()) from exc
            seconds = time.perf_counter() - started
            self.stdout.write(self.style.SUCCESS(f"Built in {seconds:.1f} s."))
        self._print_logins()
        url = f"http://{addrport if ':' in addrport else f'127.0.0.1:{addrport}'}/"
        self.stdout.write(f"\nOpen {self.style.HTTP_INFO(url)}")
        if not no_serve:
            # WhiteNoise serves only collected files unless DEBUG is on, and the demo runs without.
            call_command("collectstatic", interactive=False, verbosity=0)
            call_command("runserver", addrport, use_reloader=False)

    def _database_name(self) -> str:
        db = settings.DATABASES["default"]
        return str(db["NAME"]) if db["ENGINE"].endswith("sqlite3") else "the database"

    def _print_logins(self) -> None:
        logins = demo_logins()
        if not logins:
            self.stdout.write("This database has no demo logins.")
            return
        header = ("username", "role", "scope", "password")
        rows = [(*login, DEMO_PASSWORD) for login in logins]
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("  ".join(map(_pad, header, widths)).rstrip()))
        for row in rows:
            self.stdout.write("  ".join(map(_pad, row, widths)).rstrip())
