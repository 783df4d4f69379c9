"""The units of a count: what follows a number (or a blank for one) when the text counts something.

One list for the check panel, which asks for a blank before one of these as a count still to fill
(x次, XX人次), and for the importer, which makes a measure of a number or blank before one
(召开会议3次): what the one calls a count, the other does too. 个 also begins spans and rates that
count nothing (3个月, 2个百分点, 5个工作日): those are no count in either.
"""

import re

COUNT_UNITS = ("人次", "万元", "次", "件", "篇", "人", "场", "项", "个", "家", "条", "期", "名", "元")
SPANS = ("个月", "个百分点", "个工作日")
# Units that count whole things: 3.5 次 is a typing error. Money (万元, 元) and time (小时, 天)
# may be fractional, and so may a unit nobody listed.
WHOLE_UNITS = ("次", "人次", "件", "个", "场", "项", "篇", "人", "家", "条", "期", "名")


def counts_whole(unit: str) -> bool:
    """Whether a measure in this unit takes only whole numbers (Measure.whole's default)."""
    return unit.strip() in WHOLE_UNITS


def _alternatives(units, exclude=()):
    # Longer first, so that 人次 wins over 人; a unit that begins a span is not followed by the span's rest.
    parts = []
    for unit in sorted(units, key=len, reverse=True):
        rests = [span[len(unit):] for span in exclude if span.startswith(unit)]
        parts.append(re.escape(unit) + (f"(?!{'|'.join(map(re.escape, rests))})" if rests else ""))
    return "(?:" + "|".join(parts) + ")"


# Regular-expression fragments (no spaces, so they serve verbose patterns too).
COUNT_UNIT_PATTERN = _alternatives(COUNT_UNITS, exclude=SPANS)  # one unit of a count
SPAN_PATTERN = _alternatives(SPANS)  # one span or rate
