"""The overseer's view of the reports' quality: per body and period the share of text copied from
the body's previous reports and from other bodies', open warnings and figures explained
(ReportQuality, kept by reports.quality.jobs); and, per report, each copied part beside the text
it is like, with the runs they share marked."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reports.access import sees_other_bodies_texts, visible_reports
from reports.labels import PERIODS, parse_period_key, period_key, period_name
from reports.models import Organization, Report
from reports.quality import copies
from reports.quality.check import check_report
from reports.tracking.board import board_years, default_board_year
from reports.views.access import visible_report
from reports.views.tracking_pages import _require_overseer, _year

PAGE_SIZE = 50
# ?sort= → the order, most copied (or most to look at) first; ties by body name.
SORTS = {
    "previous": (F("quality__previous_share").desc(nulls_last=True),),
    "peer": (F("quality__peer_share").desc(nulls_last=True),),
    "warnings": (F("quality__warnings").desc(nulls_last=True),),
    "figures": (F("quality__figures").desc(nulls_last=True),),
    "body": (),
}
DEFAULT_SORT = "previous"


def _period(request, year, today):
    """The quarter asked for (1–4, or the annual report), else the latest quarter of the year with
    a report below (so that the page never opens empty when there is something to show), else
    the latest quarter begun by today."""
    try:
        return parse_period_key(request.GET.get("quarter", ""))
    except ValueError:
        pass
    latest = (visible_reports(request.user, Report.objects.filter(year=year, quarter__isnull=False))
              .order_by("-quarter").values_list("quarter", flat=True).first())
    if latest:
        return latest
    return (today.month - 1) // 3 + 1 if year == today.year else 4


@require_safe
def quality_list(request: HttpRequest) -> HttpResponse:
    _require_overseer(request.user)
    today = timezone.localdate()
    year = _year(request) or default_board_year(request.user, today)
    quarter = _period(request, year, today)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else DEFAULT_SORT
    reports = (visible_reports(request.user, Report.objects.filter(year=year, quarter=quarter))
               .select_related("organization", "quality")
               .order_by(*SORTS[sort], "organization__name", "pk"))
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/tracking/quality.html", {
        "page": page, "year": year, "quarter": quarter, "period": period_name(year, quarter),
        "years": board_years(request.user, today), "sort": sort,
        "periods": [(period_key(period), period_name(year, period)) for period in PERIODS],
        "quarter_key": period_key(quarter),
    })


@require_safe
def quality_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A report's copied parts, each beside the text it is like (which body, which period), the
    shared runs marked: for the overseer above the body only."""
    report = visible_report(request, pk)
    if not sees_other_bodies_texts(request.user, report):
        raise PermissionDenied(_("只有上级督办人可以对照查看与其他单位相同的文字。"))
    quality = check_report(report)
    names = dict(Organization.objects.filter(
        pk__in={finding.copy.source.organization_id for finding in quality.copies}).values_list("pk", "name"))
    pairs = []
    for finding in quality.copies:
        source = finding.copy.source
        pairs.append({
            "finding": finding,
            "body": names.get(source.organization_id, ""),
            "period": source.period,
            "source_report": source.report_id,
            "percent": round(finding.copy.similarity * 100),
            "own": copies.shared_runs(finding.copy.part.text, source.text),
            "other": copies.shared_runs(source.text, finding.copy.part.text),
        })
    return render(request, "reports/tracking/quality_report.html", {"report": report, "quality": quality, "pairs": pairs,
                                                                     "year": report.year})
