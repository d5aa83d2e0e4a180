"""The calendar the demo's meter data follows, January 2020 to September 2022: the holidays, the
August 2022 rationing and the September 2022 emergency."""

from __future__ import annotations

import datetime as dt

# Two years before 2022: every 2022 month has its last year, and so has every month a year
# earlier, which the index page draws as the line to compare with.
FIRST_DAY = dt.date(2020, 1, 1)
LAST_DAY = dt.date(2022, 9, 30)
PROFILE_FIRST = dt.date(2022, 8, 1)
DETECTION = (dt.date(2022, 9, 1), dt.date(2022, 9, 20))

SPRING_FESTIVAL = {
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
}
LUNAR_SHIFT = SPRING_FESTIVAL[2022] - SPRING_FESTIVAL[2021]
REPLAYED = (dt.date(2022, 1, 1), dt.date(2022, 4, 1))  # mode records replayed a lunar year back
# Public holidays besides the Spring Festival: first and last day, the share of production
# that discrete manufacturing keeps (process plants run on).
HOLIDAYS = (
    (dt.date(2020, 5, 1), dt.date(2020, 5, 5), 0.7),
    (dt.date(2020, 10, 1), dt.date(2020, 10, 8), 0.7),  # National Day and Mid-Autumn together
    (dt.date(2021, 5, 1), dt.date(2021, 5, 5), 0.7),
    (dt.date(2021, 9, 19), dt.date(2021, 9, 21), 0.8),  # Mid-Autumn
    (dt.date(2021, 10, 1), dt.date(2021, 10, 7), 0.7),
    (dt.date(2022, 4, 30), dt.date(2022, 5, 4), 0.7),
    (dt.date(2022, 9, 10), dt.date(2022, 9, 12), 0.8),
)
RATIONING = (dt.date(2022, 8, 15), dt.date(2022, 8, 25))  # 四川有序用电: industry gave way
# Static management from 8 September 00:00 in these districts; halts after a case on site there.
EARLY_STATIC = ("510502", "510504", "510521")
STATIC_FROM = dt.date(2022, 9, 8)
STATIC_UNTIL = dt.date(2022, 9, 25)  # the last whole day; modes return on the 26th
CASE_HALT = dt.date(2022, 9, 12)
