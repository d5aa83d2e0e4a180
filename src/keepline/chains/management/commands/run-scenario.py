"""`keepline run-scenario ID`: run a scenario as the pages' Run button does, from a shell or a
cron job, and print its totals."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keepline.chains.services.runs import run_scenario
from keepline.core.errors import KeeplineError
from keepline.core.scopes import SystemActor


class Command(BaseCommand):
    help = "Run a lockdown scenario over the supply network now and store its results."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("scenario_id", type=int, help="The scenario's id (see its page's URL).")

    def handle(self, *args: Any, scenario_id: int, **options: Any) -> None:
        actor = SystemActor("command:run-scenario")
        try:
            scenario = run_scenario(actor=actor, scenario_id=scenario_id)
        except KeeplineError as exc:
            raise CommandError(f"Scenario {scenario_id}: {exc.message}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{scenario.name}: {scenario.enterprises} enterprises, {scenario.links} links, "
                f"{scenario.run_seconds:.2f} s. Lost output {scenario.total_loss} (10k CNY): "
                f"direct {scenario.direct_loss}, indirect {scenario.indirect_loss}; "
                f"{scenario.at_risk} run dry."
            )
        )
