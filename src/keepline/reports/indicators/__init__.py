"""The figures a press conference quotes, computed for any scope and any "as of" time.

The mode of every enterprise is its official mode (`bubble.ModeRecord`, the latest record
effective by the as-of time, else normal), never the mode a daily report states. Definitions are
in `definitions.py` and in docs/indicators.md; the API returns them with the numbers.

`scope`: which enterprises a figure counts; `rates`: tallies by mode and the rates of them;
`computing`: the one pass over the enterprises and the breakdowns; `results`: what it yields;
`targets`: where a resumption target stands; `definitions`: what each figure means.
"""
