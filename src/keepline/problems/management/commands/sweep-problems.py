"""`keepline sweep-problems`: queue the deadline sweep for the task worker; `--now` runs it here.

Run it every few minutes from cron or a systemd timer (see the README)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keepline.problems.tasks import sweep_problem_deadlines


class Command(BaseCommand):
    help = "Queue the problem deadline sweep (escalations, near-deadline warnings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Run the sweep in this process instead of queueing."
        )

    def handle(self, *args: Any, now: bool, **options: Any) -> None:
        if now:
            outcome = sweep_problem_deadlines.call()
            self.stdout.write(
                f"escalated {outcome['escalated']}, overdue at the top {outcome['overdue']}, "
                f"warned {outcome['warned']}"
            )
        else:
            result = sweep_problem_deadlines.enqueue()
            self.stdout.write(f"queued {result.id}")
