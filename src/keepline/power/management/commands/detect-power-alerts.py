"""`keepline detect-power-alerts --from DAY --to DAY`: the same detection as the alert page's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keepline.core.errors import KeeplineError
from keepline.core.scopes import SystemActor
from keepline.power.services.detection import detect_alerts

ACTOR = SystemActor("command:detect-power-alerts")


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (write it as 2022-09-11): {value}") from None


class Command(BaseCommand):
    help = (
        "Judge every enterprise's days in the period against its power (reported halted with "
        "power, producing without it, idling flat, meter data missing) and raise or extend alerts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")

    def handle(self, *args: Any, start: str, end: str, **options: Any) -> None:
        try:
            done = detect_alerts(actor=ACTOR, start=_day(start), end=_day(end))
        except KeeplineError as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    self.stderr.write(f"{field}: {message}")
            raise CommandError(exc.message) from exc
        if done.end is None:
            self.stdout.write(f"No meter data up to {end}: nothing judged.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{done.enterprises:,} enterprises judged from {done.start} to {done.end}: "
                f"{done.created:,} alerts created, {done.extended:,} extended, "
                f"{done.unchanged:,} unchanged."
            )
        )
