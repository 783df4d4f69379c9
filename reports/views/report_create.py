"""Starting a quarter's report: pick the body and quarter, start from the skeleton or a copy."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports.access import drafter_organizations
from reports.drafting.forms import NewReportForm
from reports.drafting.starting import ReportExists, default_quarter, start_report
from reports.models import Report


@require_http_methods(["GET", "POST"])
def create(request):
    organizations = drafter_organizations(request.user)
    sources = Report.objects.filter(organization__in=organizations).select_related("organization")
    if not organizations.exists():
        messages.error(request, _("您不是任何单位的起草人，不能新建报告。"))
        return redirect("reports:list")
    year, quarter = default_quarter(timezone.localdate())
    # Starting from the body's latest report is the usual way: offer it first.
    latest = sources.filter(organization=organizations.first()).order_by("-year", "-quarter").first()
    form = NewReportForm(request.POST or None, organizations=organizations, sources=sources,
                         initial={"year": year, "quarter": quarter, "copy_from": latest})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = start_report(user=request.user, organization=data["organization"], year=data["year"],
                                  quarter=data["quarter"], copy_from=data["copy_from"])
        except ReportExists as exists:
            messages.info(request, _("%(title)s 已经存在，已为您打开。") % {"title": exists.report.title})
            return redirect("reports:edit", pk=exists.report.pk)
        messages.success(request, _("已新建：%(title)s") % {"title": report.title})
        return redirect("reports:edit", pk=report.pk)
    return render(request, "reports/report_create.html", {"form": form}, status=422 if form.errors else 200)
