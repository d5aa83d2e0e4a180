"""`keepline demo`'s build: the demo city (a synthetic Luzhou) and its 2022 emergency, written
through the services so that all of it is audited.

Same seed, same city: every random choice comes from one `random.Random(seed)` (or a stream of
the seed of its own) and every date is a constant of the 2022 timeline, so two builds differ only
in database ids and audit times.
"""

from __future__ import annotations

import random
from typing import Any, Protocol

from django.db import transaction

from keepline.core.scopes import SystemActor
from keepline.demo import chains, scenario
from keepline.demo.city.measures import build_measures
from keepline.demo.city.people import DEMO_PASSWORD, build_people, demo_logins
from keepline.demo.city.places import Places, build_parks
from keepline.demo.city.registry import build_enterprises
from keepline.demo.power.build import build_power
from keepline.demo.power.halts import build_case_halts
from keepline.demo.problems.build import build_problems

ACTOR = SystemActor("demo")
# Below this the industry quotas round to nothing and the demo roles lose their enterprises.
MIN_SIZE = 20


class Writer(Protocol):
    """Where progress lines go: a command's stdout or any text stream."""

    def write(self, text: str, /) -> Any: ...


@transaction.atomic
def build_city(
    *, seed: int = 2022, size: int = 1000, stdout: Writer | None = None
) -> dict[str, Any]:
    """Build the demo city in one transaction; returns the counts and the demo logins."""
    if size < MIN_SIZE:
        raise ValueError(f"The demo city needs at least {MIN_SIZE} above-size enterprises.")

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text + "\n")

    rng = random.Random(seed)
    places = Places.load()
    parks = build_parks(rng, ACTOR, places)
    say(f"parks: {len(parks)}")
    enterprises = build_enterprises(rng, ACTOR, places, size)
    above = sum(e.above_size for e in enterprises)
    say(f"enterprises: {len(enterprises)} ({above} above designated size)")
    measures = build_measures(ACTOR, places)
    say(f"control measures: {measures}")
    users = build_people(rng, ACTOR, places, parks, enterprises)
    say(f"demo logins: {users}")
    listed, listed_parks = scenario.build_whitelists(ACTOR, parks, enterprises)
    say(f"whitelisted: {listed_parks} parks and {listed} enterprises")
    plans = scenario.build_plans(rng, ACTOR, enterprises)
    say(f"closed-loop plans approved: {plans}")
    stopped = scenario.build_spring_festival(rng, ACTOR, enterprises)
    say(f"Spring Festival stops and returns: {stopped}")
    for title, count in scenario.build_switching(ACTOR).items():
        say(f"switched under {title}: {count}")
    say(f"halted after a case on site: {build_case_halts(ACTOR, seed=seed)}")
    say(f"daily reports: {scenario.build_reports(rng, ACTOR)}")
    say(f"resumption targets: {scenario.build_targets(ACTOR, places.city)}")
    metered = build_power(ACTOR, seed=seed)
    say(
        f"meter data: {metered.readings} daily readings, {metered.profiles} hourly profiles, "
        f"{metered.large_accounts} large industrial accounts"
    )
    say(f"power alerts for 1–20 September: {metered.detection.created}")
    say(build_problems(ACTOR, seed=seed, password=DEMO_PASSWORD).summary())
    say(chains.build_chains(ACTOR, seed=seed).summary())
    return {
        "parks": len(parks),
        "enterprises": len(enterprises),
        "above_size": above,
        "measures": measures,
        "users": users,
        "power": metered,
        "logins": demo_logins(),
    }
