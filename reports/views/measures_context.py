"""What the measures panel shows; shared by the editor page and the panel's own views."""

from reports.access import can_edit
from reports.document.model import Document, build_document
from reports.drafting.forms import NewMeasureForm
from reports.evidence.attach import counts
from reports.models import Measure


def panel_values(report):
    """The report's measure values with their measures, in the order they were added."""
    return list(report.measure_values.select_related("measure").order_by("id"))


def in_text_order(values, document: Document):
    """The values in the order the text first refers to their measures, then the others in the
    order they were added: the drafter fills them in reading the text (a copy's rows come in
    whatever order the database gives)."""
    first = {}
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if run.measure_id is not None:
                first.setdefault(run.measure_id, len(first))
    return sorted(values, key=lambda value: first.get(value.measure_id, len(first)))


def panel_context(request, report, *, new_form=None, errors=None, measure_values=None, editable=None, document=None):
    """`measure_values` (from panel_values), `editable` (can_edit) and `document` (build_document)
    when the page has them already."""
    values = panel_values(report) if measure_values is None else measure_values
    return {
        "report": report,
        "measure_values": in_text_order(values, document or build_document(report, measure_values=values)),
        "new_form": new_form or NewMeasureForm(catalogue=Measure.objects.catalogue_for(report)),
        "errors": errors or {},
        "can_edit": can_edit(request.user, report) if editable is None else editable,
        "evidence_counts": counts(report),
    }
