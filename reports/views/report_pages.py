"""The report list and the read-only report page (the report as it prints)."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ..document import build_document
from ..models import Report

PAGE_SIZE = 25


@require_safe
def report_list(request):
    reports = Report.objects.visible_to(request.user).select_related("organization", "updated_by")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/report_list.html", {"page": page})


@require_safe
def report_detail(request, pk):
    report = get_object_or_404(Report.objects.visible_to(request.user).select_related("organization"), pk=pk)
    return render(request, "reports/report_detail.html", {"report": report, "document": build_document(report)})
