"""Periods and dates as the pages and messages say them, in the user's language.

The report's own text is Chinese whatever the interface language (a title says 2023年第一季度 in
English too: numbering.quarter_label, drafting.period_text); these are for the interface around it:
2023年第一季度 and 2023年4月10日 in Chinese, Q1 2023 and April 10, 2023 in English.
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

QUARTER_NAMES = {1: gettext_lazy("第一季度"), 2: gettext_lazy("第二季度"), 3: gettext_lazy("第三季度"), 4: gettext_lazy("第四季度")}


def quarter_name(quarter):
    return str(QUARTER_NAMES[quarter])


def period_name(year, quarter):
    return _("%(year)s年%(quarter)s") % {"year": year, "quarter": quarter_name(quarter)}


def day_name(day):
    """The date in the active language's DATE_FORMAT (zh-hans: 2023年4月10日)."""
    return date_format(day)
