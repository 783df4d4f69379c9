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
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

QUARTER_NUMBERS = (1, 2, 3, 4)
# A report's period is a quarter of a year, or the whole year (年度报告): its quarter is then None.
ANNUAL = None
PERIODS = (*QUARTER_NUMBERS, ANNUAL)
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


ANNUAL_NAME = pgettext_lazy("period", "年度")
ANNUAL_KEY = "annual"  # the annual report's period in URLs and forms, where a quarter is 1–4


def report_words(label: Promise | str) -> str:
    """A translatable label (a status, an answer, a part's kind) as a report prints it: in Chinese,
    the report's language, whatever the interface's."""
    from django.utils.translation import override

    with override("zh-hans"):
        return str(label)


def period_key(quarter: int | None) -> str:
    """A period as URLs and forms carry it: "1"…"4", or "annual"."""
    return ANNUAL_KEY if quarter is ANNUAL else str(quarter)


def parse_period_key(key: str) -> int | None:
    """period_key's inverse; ValueError for anything else."""
    if key == ANNUAL_KEY:
        return ANNUAL
    if key in {str(quarter) for quarter in QUARTER_NUMBERS}:
        return int(key)
    raise ValueError(key)


def quarter_text(quarter: int | None) -> str:
    """The quarter as a report writes it, never translated: 第一季度; 年度 for the whole year."""
    return "年度" if quarter is ANNUAL else _QUARTER_WORDS[quarter]


def period_text(year: int, quarter: int | None) -> str:
    """The period as a report writes it, never translated: 2023年第一季度, 2023年度."""
    return f"{year}{quarter_text(quarter)}" if quarter is ANNUAL else f"{year}年{quarter_text(quarter)}"


def quarter_name(quarter: int | None) -> str:
    """The quarter in the interface's language: 第一季度, Q1; 年度, Annual for the whole year."""
    return str(ANNUAL_NAME if quarter is ANNUAL else QUARTER_NAMES[quarter])


def quarter_short_name(quarter: int | None) -> str:
    """The quarter in few characters, in the interface's language: 一季度, Q1; 年度."""
    return str(ANNUAL_NAME if quarter is ANNUAL else QUARTER_SHORT_NAMES[quarter])


def period_name(year: int, quarter: int | None) -> str:
    """The period in the interface's language: 2023年第一季度, Q1 2023; 2023年度, 2023 annual."""
    if quarter is ANNUAL:
        return _("%(year)s年度") % {"year": year}
    return _("%(year)s年%(quarter)s") % {"year": year, "quarter": quarter_name(quarter)}


def day_name(day: date) -> str:
    """The date in the active language's DATE_FORMAT (zh-hans: 2023年4月10日)."""
    return date_format(day)


def person_name(user) -> str:
    """A person as every page, notice and file names them: their full name, else their username."""
    return user.get_full_name() or user.username
