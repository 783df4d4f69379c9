"""The report a request may see, or 404: every view that takes a report id starts here, so the
visibility rule (reports.permissions, via Report.objects.visible_to) is applied in one way."""

from django.shortcuts import get_object_or_404

from reports.models import Report


def visible_report(request, pk):
    return get_object_or_404(Report.objects.visible_to(request.user).select_related("organization"), pk=pk)
