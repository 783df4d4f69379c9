"""What the measures panel shows; shared by the editor page and the panel's own views."""

from ..forms import NewMeasureForm
from ..models import Measure
from ..permissions import can_edit


def panel_context(request, report, *, new_form=None, errors=None):
    return {
        "report": report,
        "measure_values": list(report.measure_values.select_related("measure").order_by("id")),  # as added
        "new_form": new_form or NewMeasureForm(catalogue=Measure.objects.catalogue_for(report)),
        "errors": errors or {},
        "can_edit": can_edit(request.user, report),
    }
