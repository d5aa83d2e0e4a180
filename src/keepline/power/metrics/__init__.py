"""Power metrics: baselines, each enterprise's recovery ratio, and the power resumption index.

An enterprise's daily energy is the sum over its power accounts of the readings of that day; a
day on which none of its accounts has a reading has no energy (None), never zero. Its baseline
daily energy is the mean of its daily energy over the days of the baseline window that have
readings. Definitions with worked examples: docs/indicators.md, "Power".

Everything is summed in the database: the readings are grouped per (enterprise, day) and per
(enterprise, baseline window) by the ORM, and the index joins those two grouped queries in one
more GROUP BY, so no Python loop ever sees a reading.
"""
