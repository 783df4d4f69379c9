"""Quarters and dates in words: the one place that names a quarter.

Two audiences, one spelling. The report's own text is Chinese whatever the interface language
(a title says 2023年第一季度 in English too): `quarter_text`, `period_text`. The interface around
it speaks the user's language: `quarter_name`, `period_name`, `day_name` give 2023年第一季度 and
2023年4月10日 in Chinese, Q1 2023 and April 10, 2023 in English.
"""

from datetime import date

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

QUARTER_NUMBERS = (1, 2, 3, 4)
# Marked for translation (the interface's names are their translations) but kept as written:
# these are the words a report prints.
_QUARTER_WORDS = {1: gettext_noop("第一季度"), 2: gettext_noop("第二季度"), 3: gettext_noop("第三季度"),
                  4: gettext_noop("第四季度")}
# The interface's names, translated when shown (the models' choices are built from these).
QUARTER_NAMES: dict[int, Promise] = {quarter: gettext_lazy(words) for quarter, words in _QUARTER_WORDS.items()}
# Short names, where four must fit side by side under a small chart.
QUARTER_SHORT_NAMES: dict[int, Promise] = {
    1: gettext_lazy("一季度"), 2: gettext_lazy("二季度"), 3: gettext_lazy("三季度"), 4: gettext_lazy("四季度"),
}


def quarter_text(quarter: int) -> str:
    """The quarter as a report writes it, never translated: 第一季度."""
    return _QUARTER_WORDS[quarter]


def period_text(year: int, quarter: int) -> str:
    """The period as a report writes it, never translated: 2023年第一季度."""
    return f"{year}年{quarter_text(quarter)}"


def quarter_name(quarter: int) -> str:
    """The quarter in the interface's language: 第一季度, Q1."""
    return str(QUARTER_NAMES[quarter])


def quarter_short_name(quarter: int) -> str:
    """The quarter in few characters, in the interface's language: 一季度, Q1."""
    return str(QUARTER_SHORT_NAMES[quarter])


def period_name(year: int, quarter: int) -> str:
    """The period in the interface's language: 2023年第一季度, Q1 2023."""
    return _("%(year)s年%(quarter)s") % {"year": year, "quarter": quarter_name(quarter)}


def day_name(day: date) -> str:
    """The date in the active language's DATE_FORMAT (zh-hans: 2023年4月10日)."""
    return date_format(day)
