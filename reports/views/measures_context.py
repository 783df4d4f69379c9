"""What the measures panel shows; shared by the editor page and the panel's own views."""

from reports.access import can_edit
from reports.drafting.forms import NewMeasureForm
from reports.models import Measure


def panel_values(report):
    """The report's measure values with their measures, in the order they were added."""
    return list(report.measure_values.select_related("measure").order_by("id"))


def panel_context(request, report, *, new_form=None, errors=None, measure_values=None, editable=None):
    """`measure_values` (from panel_values) and `editable` (can_edit) when the page has them already."""
    return {
        "report": report,
        "measure_values": panel_values(report) if measure_values is None else measure_values,
        "new_form": new_form or NewMeasureForm(catalogue=Measure.objects.catalogue_for(report)),
        "errors": errors or {},
        "can_edit": can_edit(request.user, report) if editable is None else editable,
    }
