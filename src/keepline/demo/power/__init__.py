"""The demo city's meter data: daily energy from January 2020, hourly load from August 2022, and
a few enterprises whose power tells another story than their reports.

Every account's day is its enterprise's base load (output value × the industry's electricity
intensity) times a weekly shape, a mild seasonal swing, a little growth, the holidays (the Spring
Festival, the golden weeks, Mid-Autumn), the August 2022 power rationing, the level of the mode the
enterprise was in (its own mode records: halted 2–8%, semi-closed 50–70%, closed loop 75–95%),
and noise. The Spring Festival of 2021 replays the 2022 stops and returns on the lunar calendar,
so that February compares with February. Everything is written through the meter-data import, and
the alerts are then detected for 1–20 September 2022.

The planted liars (`build.Planted`): two enterprises halted after a case on site on 12 September
that keep drawing full power; two "closed loop" enterprises drawing almost nothing; one "closed
loop" enterprise idling its machines around the clock; two accounts with days missing. Same seed,
same data: the generator has numpy streams of its own, so the city's other draws stay as they were.
"""
