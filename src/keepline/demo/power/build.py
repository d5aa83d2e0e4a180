"""The power step of the demo: generate the meter data, write it through the meter-data import,
mark the large industrial users and detect the alerts of 1–20 September 2022."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from keepline.core import audit
from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor
from keepline.demo.power.arrays import CityArrays, load_arrays
from keepline.demo.power.meters import daily_energy, hourly_profiles, profiled_accounts
from keepline.demo.power.timeline import DETECTION, PROFILE_FIRST
from keepline.enterprises.models import PowerAccount
from keepline.power.importers import POWER_IMPORTER
from keepline.power.models import PowerImport
from keepline.power.services.detection import Detection, detect_alerts
from keepline.power.services.imports import import_power

# A stream of the demo seed for these draws alone, apart from the city's `random.Random`.
POWER_STREAM = 72


@dataclass(frozen=True)
class Planted:
    """Who the demo's power data lies about, by credit code, and where its gaps are."""

    halted_with_power: tuple[str, ...]
    honest_halts: tuple[str, ...]
    producing_without_power: tuple[str, ...]
    idling: tuple[str, ...]
    flat_plants: tuple[str, ...]
    # Account number -> its enterprise's credit code, first and last missing day.
    gaps: dict[str, tuple[str, dt.date, dt.date]]


@dataclass(frozen=True)
class DemoPower:
    """What the power step of the demo wrote."""

    readings: int
    profiles: int
    large_accounts: int
    planted: Planted
    detection: Detection


def _daily_csv(city: CityArrays, kwh: np.ndarray) -> bytes:
    a, d = kwh.shape
    frame = pl.DataFrame(
        {
            "account": np.repeat(np.array(city.numbers), d),
            "date": np.tile(city.days, a),
            "kwh": kwh.ravel(),
        }
    ).filter(pl.col("kwh").is_not_nan())
    return frame.write_csv().encode()


def _interval_csv(city: CityArrays, accounts: list[int], load: np.ndarray) -> bytes:
    n, days, hours = load.shape
    first = city.day(PROFILE_FIRST)
    starts = city.days[first : first + days].astype("M8[ms]")
    times = starts[:, None] + np.arange(hours).astype("m8[h]")
    frame = pl.DataFrame(
        {
            "account": np.repeat(np.array(city.numbers)[accounts], days * hours),
            "time": np.tile(times.ravel(), n),
            "kwh": load.ravel(),
        }
    ).with_columns(pl.col("time").dt.strftime("%Y-%m-%d %H:%M"))
    return frame.write_csv().encode()


def _mark_large(actor: Actor, city: CityArrays, large: np.ndarray) -> int:
    """The large-industry tariff on the largest accounts, in one update, each change audited."""
    ids = [city.account_ids[a] for a in large]
    PowerAccount.objects.filter(pk__in=ids).update(large_industry=True)
    AuditEvent.objects.bulk_create(
        audit.build(
            actor=actor,
            action=audit.Action.UPDATE,
            obj=account,
            before={"large_industry": False},
            after={"large_industry": True},
        )
        for account in PowerAccount.objects.filter(pk__in=ids).select_related("enterprise__region")
    )
    return len(ids)


def _import(actor: Actor, filename: str, data: bytes) -> PowerImport:
    """A generated file through the meter-data import's check and write."""
    check = POWER_IMPORTER.check(actor, filename, data)
    if not check.ok:
        raise check.as_error()
    return import_power(actor=actor, check=check)


def build_power(actor: Actor, *, seed: int) -> DemoPower:
    """Generate and import the meter data, mark the large industrial users, and detect the
    alerts of 1–20 September 2022; returns what was written and who was planted."""
    rng = np.random.default_rng([POWER_STREAM, seed])
    city = load_arrays()
    meters = daily_energy(rng, city)
    kinds = meters.kinds
    large_accounts = _mark_large(actor, city, meters.large)
    daily = _import(actor, "demo-daily-2020-2022.csv", _daily_csv(city, meters.kwh))
    accounts, flat, idlers = profiled_accounts(city, meters)
    load = hourly_profiles(rng, city, meters.kwh, accounts, flat, idlers)
    _import(actor, "demo-hourly-2022-08-09.csv", _interval_csv(city, accounts, load))
    detection = detect_alerts(actor=actor, start=DETECTION[0], end=DETECTION[1])

    def codes(indexes: Sequence[int]) -> tuple[str, ...]:
        return tuple(sorted(city.uscc[i] for i in indexes))

    planted = Planted(
        halted_with_power=codes(kinds["halted"]),
        honest_halts=codes(kinds["honest_halts"]),
        producing_without_power=codes(kinds["producing"]),
        idling=codes(kinds["idling"]),
        flat_plants=codes([int(city.owner[a]) for a in flat]),
        gaps={
            city.numbers[a]: (city.uscc[int(city.owner[a])], first, last)
            for a, (first, last) in meters.gaps.items()
        },
    )
    return DemoPower(
        readings=daily.rows,
        profiles=load.shape[0] * load.shape[1],
        large_accounts=large_accounts,
        planted=planted,
        detection=detection,
    )
