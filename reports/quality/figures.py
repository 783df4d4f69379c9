"""Figures that do not add up: a count far from the body's usual, a rule between two figures broken.

As a statistics system (一套表) does, these do not refuse a return outright: the drafter may know
better (a campaign quarter has ten times the talks), and says so in a 说明 (MeasureValue.note),
which the reviewers and the overseer read beside the figure. A submission without it is refused.

A figure is far from usual when it is JIBAO_OUTLIER_FACTOR times its reference or that fraction
of it; the reference is the same quarter last year (last year's annual report, for an annual
one), else the median of the body's earlier reports of the same kind. Counts both under
JIBAO_OUTLIER_MIN (2 against 0) are too small to judge. Whether a count is whole is the
catalogue's rule (Measure.whole), checked where the figure is typed.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.conf import settings
from django.db.models import Q

from reports.models import ANNUAL_PERIOD_ORDER, MeasureRule, MeasureValue, Report

OUTLIER, RULE = "outlier", "rule"
OPERATORS = {
    MeasureRule.Operator.AT_MOST: operator.le, MeasureRule.Operator.LESS: operator.lt,
    MeasureRule.Operator.EQUAL: operator.eq, MeasureRule.Operator.AT_LEAST: operator.ge,
    MeasureRule.Operator.MORE: operator.gt,
}


@dataclass(frozen=True)
class Figure:
    """A figure to explain: `value` of the measure against `reference` (the usual value, or the
    rule's other figure)."""

    kind: str  # OUTLIER or RULE
    value: MeasureValue
    reference: Decimal
    rule: MeasureRule | None = None
    last_year: bool = False  # an outlier's reference: the same quarter last year, else the median

    @property
    def explained(self) -> bool:
        return bool(self.value.note.strip())


def plain_number(value: Decimal) -> int | float:
    """A figure as JSON prints it: 26, not "26.00"; 2.5 as 2.5."""
    return int(value) if value == value.to_integral_value() else float(value)


def to_explain(report: Report, values: Iterable[MeasureValue]) -> list[Figure]:
    """The report's figures far from usual, then the rules its figures break, by measure name.
    Two queries, whatever the number of figures."""
    filled = [value for value in values if value.value is not None]
    if not filled:
        return []
    return _outliers(report, filled) + _broken_rules(filled)


def _outliers(report, filled):
    factor, smallest = Decimal(str(settings.JIBAO_OUTLIER_FACTOR)), settings.JIBAO_OUTLIER_MIN
    own_period = ANNUAL_PERIOD_ORDER if report.annual else report.quarter
    same_kind = Q(report__quarter__isnull=True) if report.annual else Q(report__quarter__isnull=False)
    earlier = Q(report__year__lt=report.year) | Q(report__year=report.year, report__period_order__lt=own_period)
    history = {}
    for measure_id, year, period, value in (
            MeasureValue.objects.filter(report__organization_id=report.organization_id, value__isnull=False,
                                        measure_id__in=[value.measure_id for value in filled])
            .filter(same_kind & earlier).values_list("measure_id", "report__year", "report__period_order", "value")):
        history.setdefault(measure_id, {})[(year, period)] = value
    figures = []
    for value in sorted(filled, key=lambda value: value.measure.name):
        past = history.get(value.measure_id)
        if not past:
            continue
        reference = past.get((report.year - 1, own_period))
        last_year = reference is not None
        if not last_year:
            reference = Decimal(median(past.values()))
        if max(value.value, reference) < smallest:
            continue
        if value.value >= factor * reference or value.value * factor <= reference:
            figures.append(Figure(OUTLIER, value, reference, last_year=last_year))
    return figures


def _broken_rules(filled):
    by_measure = {value.measure_id: value for value in filled}
    rules = (MeasureRule.objects.filter(active=True, left_id__in=by_measure, right_id__in=by_measure)
             .select_related("left", "right").order_by("left__name", "right__name"))
    return [Figure(RULE, by_measure[rule.left_id], by_measure[rule.right_id].value, rule) for rule in rules
            if not OPERATORS[rule.operator](by_measure[rule.left_id].value, by_measure[rule.right_id].value)]
