"""Starting a report: pick the body and the quarter (or the year), start from the skeleton, a
copy, or, for the annual report, the year's approved quarterly reports."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports.access import drafter_organizations
from reports.drafting.annual import NothingToAssemble, approved_quarters, assemble_annual, missing_quarters, quarter_list
from reports.drafting.forms import FROM_QUARTERS, NewReportForm
from reports.drafting.starting import ReportExists, default_quarter, start_report
from reports.labels import period_key
from reports.models import Report
from reports.tracking.deadlines import PeriodClosed


@require_http_methods(["GET", "POST"])
def create(request):
    organizations = drafter_organizations(request.user)
    sources = Report.objects.filter(organization__in=organizations).select_related("organization")
    if not organizations.exists():
        messages.error(request, _("您不是任何单位的起草人，不能新建报告。"))
        return redirect("reports:list")
    year, quarter = default_quarter(timezone.localdate())
    # Starting from the body's latest report is the usual way: offer it first.
    latest = sources.filter(organization=organizations.first(), quarter__isnull=False).order_by("-year", "-quarter").first()
    form = NewReportForm(request.POST or None, organizations=organizations, sources=sources,
                         initial={"year": year, "quarter": period_key(quarter), "copy_from": latest})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["copy_from"] == FROM_QUARTERS:
                return _assembled(request, data["organization"], data["year"])
            report = start_report(user=request.user, organization=data["organization"], year=data["year"],
                                  quarter=data["quarter"], copy_from=data["copy_from"])
        except ReportExists as exists:
            messages.info(request, _("%(title)s 已经存在，已为您打开。") % {"title": exists.report.title})
            return redirect("reports:edit", pk=exists.report.pk)
        except PeriodClosed as closed:
            form.add_error("quarter", closed.message)
            return render(request, "reports/report_create.html", {"form": form}, status=422)
        except NothingToAssemble as nothing:
            form.add_error("copy_from", nothing.message)
            return render(request, "reports/report_create.html", {"form": form}, status=422)
        messages.success(request, _("已新建：%(title)s") % {"title": report.title})
        return redirect("reports:edit", pk=report.pk)
    return render(request, "reports/report_create.html", {"form": form}, status=422 if form.errors else 200)


def _assembled(request, organization, year):
    """The annual report drafted from the year's approved quarters, and a message naming them (and
    those missing, which it could not include)."""
    report = assemble_annual(user=request.user, organization=organization, year=year)
    quarters = approved_quarters(organization, year)
    message = _("已从%(quarters)s已审定的报告汇总：%(title)s") % {
        "quarters": quarter_list([report.quarter for report in quarters]), "title": report.title}
    missing = missing_quarters(quarters)
    if missing:
        messages.warning(request, message + _("。%(missing)s还没有已审定的报告，未包括在内。")
                         % {"missing": quarter_list(missing)})
    else:
        messages.success(request, message)
    return redirect("reports:edit", pk=report.pk)
