"""The versions of a report a reader compares with: its earlier submissions, the one that was
approved, and the same body's report of the period before. One place decides which is which,
for the review page's comparison, the 审阅稿's tracked changes and the Word round trip."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from reports.models import Report, ReportEvent, Submission

PREVIOUS, APPROVED, LAST_PERIOD = "previous", "approved", "period"
APPROVALS = (ReportEvent.Action.APPROVE, ReportEvent.Action.ACCEPT)


def submissions(report: Report) -> list[Submission]:
    """Newest first."""
    return list(report.submissions.select_related("submitted_by").order_by("-number"))


def approved_submission(report: Report, rounds: list[Submission]) -> Submission | None:
    """The submission that was last approved (审定 or 签收): the newest one sent before the
    approval. None when the report was never approved."""
    approved_at = (report.events.filter(action__in=APPROVALS).order_by("-created_at", "-id")
                   .values_list("created_at", flat=True).first())
    if approved_at is None:
        return None
    return next((round_ for round_ in rounds if round_.submitted_at <= approved_at), None)


def period_before(year: int, quarter: int | None) -> tuple[int, int | None]:
    """Q1's is last year's Q4; an annual report's is last year's."""
    if quarter is None:
        return year - 1, None
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def previous_period_report(report: Report) -> Report | None:
    """The same body's report of the period before, if it was ever submitted."""
    year, quarter = period_before(report.year, report.quarter)
    return (Report.objects.filter(organization_id=report.organization_id, year=year, quarter=quarter)
            .filter(submissions__isnull=False).distinct().first())


def with_previous_period(reports: list[Report]) -> set[int]:
    """The ids of those of `reports` whose body's report of the period before was submitted: one
    query for a page of them (the inbox's 与上季度对比)."""
    if not reports:
        return set()
    wanted = Q()
    for report in reports:
        year, quarter = period_before(report.year, report.quarter)
        wanted |= Q(organization_id=report.organization_id, year=year, quarter=quarter)
    found = set(Report.objects.filter(wanted, submissions__isnull=False).values_list("organization_id", "year", "quarter"))
    return {report.pk for report in reports
            if (report.organization_id, *period_before(report.year, report.quarter)) in found}


@dataclass(frozen=True)
class Base:
    """What a version is compared with: a submission, named for the reader."""

    kind: str  # PREVIOUS, APPROVED or LAST_PERIOD
    submission: Submission
    label: str  # "第2次提交", "上次审定稿（第2次提交）", "2023年第四季度报告（第3次提交）"


def round_label(submission: Submission) -> str:
    return _("第%(n)d次提交") % {"n": submission.number}


def bases(report: Report, rounds: list[Submission] | None = None) -> list[Base]:
    """Every version the latest submission can be compared with, in the review page's order; the
    previous round first. A version that is the same submission as one before it is left out."""
    rounds = submissions(report) if rounds is None else rounds
    found = []
    if len(rounds) > 1:
        found.append(Base(PREVIOUS, rounds[1], round_label(rounds[1])))
    approved = approved_submission(report, rounds)
    if approved is not None and rounds and approved.pk != rounds[0].pk:
        if not found or found[0].submission.pk != approved.pk:
            found.append(Base(APPROVED, approved, _("上次审定稿（%(round)s）") % {"round": round_label(approved)}))
    earlier = previous_period_report(report)
    if earlier is not None:
        latest = earlier.submissions.select_related("submitted_by").order_by("-number").first()
        found.append(Base(LAST_PERIOD, latest, _("%(period)s报告（%(round)s）") % {
            "period": earlier.period_label, "round": round_label(latest)}))
    return found


def review_base(report: Report, rounds: list[Submission] | None = None) -> Submission | None:
    """What the 审阅稿 marks its changes against: after a reopen, the version last approved; else
    the previous round. None for a first submission (nothing is marked)."""
    rounds = submissions(report) if rounds is None else rounds
    approved = approved_submission(report, rounds)
    if approved is not None and rounds and approved.pk != rounds[0].pk:
        return approved
    return rounds[1] if len(rounds) > 1 else None
