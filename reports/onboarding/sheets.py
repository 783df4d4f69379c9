"""What both onboarding sheets share: an empty cell is an empty string (a workbook's empty cell is
None, which the preview would print as "None"), and a sheet with any refused row writes nothing."""

import io
from urllib.parse import quote

import openpyxl
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from import_export import resources, widgets

from reports.models import Organization

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def without_empty_cells(dataset) -> None:
    """Every empty cell as "", text stripped, in place (a date or a number stays what it is)."""
    headers = dataset.headers
    rows = [tuple("" if cell is None else cell.strip() if isinstance(cell, str) else cell for cell in row)
            for row in dataset]
    dataset.wipe()
    dataset.headers = headers
    for row in rows:
        dataset.append(row)


class BodyByName(widgets.ForeignKeyWidget):
    """A body named in a sheet (单位, 上级单位) by its name or its 单位代码: an unknown one is refused
    with `unknown`; an empty cell is None when the column may be empty, else refused with `empty`.
    A name is looked for first: a code is never a body's name in practice, and a name must win."""

    def __init__(self, *, unknown, empty=None):
        super().__init__(Organization, field="name")
        self.unknown, self.empty = unknown, empty

    def clean(self, value, row=None, **kwargs):
        name = (value or "").strip()
        if not name:
            if self.empty is None:
                return None
            raise ValueError(str(self.empty))
        found = Organization.objects.filter(name=name).first() or Organization.objects.filter(code=name).first()
        if found is None:
            raise ValueError(str(self.unknown) % {"name": name})
        return found


def check_cells(row, checks) -> None:
    """Each (widget, column) of the row cleaned before the row is looked up, so that a bad cell
    that finds the row's object is the row's reason (a refusal), not an error with a traceback."""
    try:
        for widget, column in checks:
            widget.clean(row.get(str(column)))
    except ValueError as refused:
        raise ValidationError(str(refused)) from None


class SheetResource(resources.ModelResource):
    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=True, **kwargs):
        """As the admin does it: a sheet with any refused row writes nothing."""
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors,
                                   use_transactions=use_transactions, collect_failed_rows=collect_failed_rows,
                                   rollback_on_validation_errors=rollback_on_validation_errors, **kwargs)

    def before_import(self, dataset, **kwargs):
        without_empty_cells(dataset)


def sheet_template_response(resource, name: str) -> HttpResponse:
    """An empty workbook with the sheet's columns in its first row, to fill in and import."""
    book = openpyxl.Workbook()
    book.active.title = name[:31]
    book.active.append([field.column_name for field in resource.get_import_fields()])
    for column in book.active.columns:
        book.active.column_dimensions[column[0].column_letter].width = 18
    stream = io.BytesIO()
    book.save(stream)
    response = HttpResponse(stream.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}-template.xlsx"
    return response
