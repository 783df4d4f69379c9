"""The report list and the read-only report page (the report as it prints)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reports.access import EDITABLE_STATUSES, can_edit, closed_now, drafter_organizations, is_drafter, memberships
from reports.document.model import build_document
from reports.evidence.attach import counts as evidence_counts
from reports.models import Report
from reports.review.workflow import available_actions, today
from reports.tracking import carried
from reports.tracking.deadlines import deadline_for, late_submission
from reports.views import evidence_panel, keyset
from reports.views.access import visible_report
from reports.views.filters import ReportFilter, matching_bodies
from reports.word.pdf import pdf_available


@require_safe
def report_list(request):
    """The reports of the user's bodies, newest first, filtered by the GET form above the table,
    a page at a time from the key of the row before (keyset: the cost of a page is its rows).
    Someone signed in (through the directory, say) who holds no role anywhere is told whom to ask."""
    if not memberships(request.user) and not request.user.is_staff:
        return render(request, "reports/no_role.html")
    reports = Report.objects.select_related("organization", "updated_by")
    # The FilterSet keeps only the visible bodies' reports, whatever the query string says.
    report_filter = ReportFilter(request.GET, queryset=reports, request=request)
    page = keyset.get_page(report_filter.qs, after=request.GET.get("after"), before=request.GET.get("before"))
    return render(
        request,
        "reports/report_list.html",
        {
            "page": page,
            "filter": report_filter,
            "can_create": drafter_organizations(request.user).exists(),
        },
    )


@require_safe
def body_search(request):
    """The body filter's suggestions as the user types (?q=…): the visible bodies that match, as
    Tom Select reads them."""
    results = [{"value": str(pk), "text": name} for pk, name in matching_bodies(request.user, request.GET.get("q", ""))]
    return JsonResponse({"results": results})


@require_safe
def report_detail(request, pk):
    report = visible_report(request, pk)
    document = build_document(report)
    context = {
        "report": report,
        "document": document,
        "can_edit": can_edit(request.user, report),
        "actions": available_actions(request.user, report),
        "pdf_available": pdf_available(),
        "plans": carried.plans(report),
        "evidence_counts": evidence_counts(report),
    }
    if "submit" in context["actions"]:
        context["late"] = late_submission(report, today())
    if report.status in EDITABLE_STATUSES and is_drafter(request.user, report.organization_id) and closed_now(report):
        context["closed_message"] = deadline_for(report).closed_message()
    # Read only here: files are dropped in the editor, where the claims are written.
    context.update(evidence_panel.panel_context(request, report, editable=False, document=document))
    return render(request, "reports/report_detail.html", context)
