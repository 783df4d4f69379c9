"""The measures panel of the editor: the report's counts, each typed once."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import retarget, trigger_client_event

from reports.drafting import editing
from reports.drafting.editing import EditConflict, EditRefused
from reports.drafting.forms import MeasureValueForm, NewMeasureForm
from reports.evidence.attach import counts
from reports.models import Measure, MeasureValue, Report
from reports.quality.check import check_report
from reports.review import workflow
from reports.views.access import editable_report_view, visible_report
from reports.views.measures_context import panel_context
from reports.views.review import NOTE_FIELD


def panel_response(request, report, *, status=200, new_form=None, errors=None, changed=False, values_changed=False):
    context = panel_context(request, report, new_form=new_form, errors=errors)
    if not request.htmx:
        return render(request, "reports/measures.html", context, status=status)
    response = render(request, "reports/editor/_measures_panel.html", context, status=status)
    if values_changed:
        # The sheet prints each value where the text refers to it: it reloads on this event.
        trigger_client_event(response, "measuresChanged")
    if changed or values_changed:
        trigger_client_event(response, "reportChanged")
    return response


def after_write(request, report, **changes):
    """A plain form post goes back to the panel's page (post/redirect/get); htmx gets the panel."""
    if not request.htmx:
        return redirect("reports:measures", pk=report.pk)
    return panel_response(request, report, **changes)


def row_response(request, report, measure_value, *, status=200, errors=None, typed=None):
    """One figure's row, after its value was set or refused (htmx)."""
    context = {"report": report, "mv": measure_value, "errors": errors or {}, "can_edit": True, "typed": typed,
               "evidence_counts": counts(report)}
    response = render(request, "reports/editor/_measure_row.html", context, status=status)
    if status == 200:
        trigger_client_event(response, "measuresChanged")
        trigger_client_event(response, "reportChanged")
    return response


@require_safe
def panel(request, pk):
    return panel_response(request, visible_report(request, pk))


@require_POST
@editable_report_view
def add(request: HttpRequest, report: Report) -> HttpResponse:
    form = NewMeasureForm(request.POST, catalogue=Measure.objects.catalogue_for(report))
    if not form.is_valid():
        return panel_response(request, report, new_form=form, status=422)
    editing.add_measure(user=request.user, report=report, measure=form.cleaned_data["measure"],
                        name=form.cleaned_data["name"], unit=form.cleaned_data["unit"])
    return after_write(request, report, changed=True)


@require_POST
@editable_report_view
def set_value(request: HttpRequest, report: Report, value_id: int) -> HttpResponse:
    measure_value = get_object_or_404(MeasureValue, pk=value_id, report=report)
    form = MeasureValueForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["value"])
        editing.set_measure_value(user=request.user, report=report, measure_value=measure_value,
                                  value=form.cleaned_data["value"])
    except ValidationError as refused:
        errors = {measure_value.pk: refused.messages}
        if not request.htmx:
            return panel_response(request, report, errors=errors, status=422)
        return row_response(request, report, measure_value, errors=errors, status=422, typed=request.POST.get("value", ""))
    except EditConflict:
        messages.warning(request, _("这项统计数已被他人从报告中移除。"))
        if request.htmx:
            # The row is gone: the whole panel shows what the report holds now.
            return retarget(panel_response(request, report, values_changed=True), "#measures-panel-body")
    if not request.htmx:
        return redirect("reports:measures", pk=report.pk)
    measure_value.refresh_from_db(fields=["value"])
    return row_response(request, report, measure_value)


@require_POST
@editable_report_view
def remove(request: HttpRequest, report: Report, value_id: int) -> HttpResponse:
    measure_value = get_object_or_404(MeasureValue, pk=value_id, report=report)
    try:
        editing.remove_measure(user=request.user, report=report, measure_value=measure_value)
    except EditRefused as error:
        if not request.htmx:
            messages.error(request, error.message)
            return redirect("reports:measures", pk=report.pk)
        return panel_response(request, report, errors={measure_value.pk: [error.message]}, status=422)
    return after_write(request, report, changed=True)


@require_safe
@editable_report_view
def figure_notes(request: HttpRequest, report: Report) -> HttpResponse:
    """The editor's 数字说明 panel, read again when a figure changes (htmx)."""
    return render(request, "reports/editor/_figure_notes.html", {
        "report": report, "quality": check_report(report), "actions": workflow.available_actions(request.user, report)})


@require_POST
@editable_report_view
def note(request: HttpRequest, report: Report, value_id: int) -> HttpResponse:
    """A figure's 说明, saved as the drafter leaves its box: nothing typed waits for the submission."""
    measure_value = get_object_or_404(MeasureValue, pk=value_id, report=report)
    # The box's own field, as the submission form sends it (reports.views.review.NOTE_FIELD).
    field = f"{NOTE_FIELD}{measure_value.measure_id}"
    editing.save_figure_notes(user=request.user, report=report, notes={measure_value.measure_id: request.POST.get(field, "")})
    if request.htmx:
        response = HttpResponse(status=204)
        trigger_client_event(response, "reportChanged")  # the check panel counts what is explained
        return response
    messages.success(request, _("说明已保存。"))
    return redirect("reports:edit", pk=report.pk)
