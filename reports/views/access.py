"""The report a request may see or edit: every view that takes a report id starts here, so the
visibility rule (reports.access, via Report.objects.visible_to) and the editing rule
(reports.drafting.editing.check_editable) are applied in one way."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django_htmx.http import reswap, retarget

from reports.drafting.editing import EditRefused, check_editable
from reports.models import Report


def visible_report(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(Report.objects.visible_to(request.user).select_related("organization"), pk=pk)


def editable_report(request: HttpRequest, pk: int) -> Report:
    """The report, if the user may change it: 404 when they cannot see it, EditRefused when they cannot edit."""
    report = visible_report(request, pk)
    check_editable(user=request.user, report=report)
    return report


def wants_json(request: HttpRequest) -> bool:
    """A request of a script that reads the answer itself: an upload's progress bar (static/js/evidence.js)."""
    return "application/json" in request.headers.get("Accept", "")


def refusal(request: HttpRequest, error: EditRefused, status: int = 403) -> HttpResponse:
    """A refused write: a message where the user is looking, nothing changed."""
    if wants_json(request):
        return JsonResponse({"ok": False, "message": str(error.message)}, status=status)
    if request.htmx:
        response = render(request, "reports/editor/_message.html", {"level": "danger", "message": error.message}, status=status)
        return reswap(retarget(response, "#editor-messages"), "innerHTML")
    if status == 403:
        raise PermissionDenied(error.message)
    return render(request, "400.html", {"message": error.message}, status=status)


def editable_report_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A view of the editor, called with the report the user may edit in place of its id.

    404 when the user cannot see the report, the refusal when they may not edit it; an
    EditRefused raised by the write the view makes (the report was submitted a moment ago,
    the user's role changed) is answered with the same refusal, so no view repeats it."""

    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, editable_report(request, pk), *args, **kwargs)
        except EditRefused as error:
            return refusal(request, error)

    return wrapped
