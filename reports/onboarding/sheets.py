"""What the onboarding sheets share: an empty cell is an empty string (a workbook's empty cell is
None, which the preview would print as "None"), a sheet with any refused row writes nothing, each
row keeps the number it has in the sheet (a sheet of bodies is imported parents first, not in its
order), and a row's result can be handed to a sink as it comes instead of being kept: the preview
of a province (reports.onboarding.jobs) is 100,000 rows."""

import io
from urllib.parse import quote

import openpyxl
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from import_export import resources, widgets
from import_export.results import Result

from reports.document.text import clean_text
from reports.models import Organization

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def without_empty_cells(dataset) -> None:
    """Every empty cell as "", text stripped of spaces and of the control characters a pasted cell
    may carry, in place (a date or a number stays what it is)."""
    headers = dataset.headers
    rows = [tuple("" if cell is None else clean_text(cell, multiline=False)[0].strip() if isinstance(cell, str)
                  else cell for cell in row) for row in dataset]
    dataset.wipe()
    dataset.headers = headers
    for row in rows:
        dataset.append(row)


# Values in one `IN (...)`: well under SQLite's limit on a statement's parameters.
IN_BATCH = 500


def in_batches(queryset, field: str, values):
    """The objects of `queryset` whose `field` is one of `values`, asked for in batches."""
    values = list(values)
    for start in range(0, len(values), IN_BATCH):
        yield from queryset.filter(**{f"{field}__in": values[start:start + IN_BATCH]})


class BodyByName(widgets.ForeignKeyWidget):
    """A body named in a sheet (单位, 上级单位) by its name or its 单位代码: an unknown one is refused
    with `unknown`; an empty cell is None when the column may be empty, else refused with `empty`.
    A name is looked for first: a code is never a body's name in practice, and a name must win."""

    def __init__(self, *, unknown, empty=None):
        super().__init__(Organization, field="name")
        self.unknown, self.empty = unknown, empty
        self.by_name = self.by_code = None

    def preload(self, refs) -> None:
        """The bodies these cells name, looked up once for the whole sheet (in batches) rather
        than once for every row: a province's sheet names tens of thousands."""
        self.by_name, self.by_code = {}, {}
        refs = sorted({str(ref).strip() for ref in refs} - {""})
        for found in in_batches(Organization.objects.all(), "name", refs):
            self.by_name[found.name] = found
        for found in in_batches(Organization.objects.all(), "code", sorted(set(refs) - set(self.by_name))):
            self.by_code[found.code] = found

    def clean(self, value, row=None, **kwargs):
        name = (value or "").strip()
        if not name:
            if self.empty is None:
                return None
            raise ValueError(str(self.empty))
        if self.by_name is not None:
            found = self.by_name.get(name) or self.by_code.get(name)
        else:
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


# The column that carries each row's number in the sheet (its first row is the column names, so
# the first row of data is 2, as Excel shows it). No sheet has a column of that name.
ROW_NUMBER = "__row__"


def row_number(row) -> int | None:
    return row.get(ROW_NUMBER)


class StreamedResult(Result):
    """A result that hands each row's result to `sink` and keeps only the totals, when given a sink."""

    def __init__(self, sink=None):
        super().__init__()
        self.sink, self.refused = sink, 0

    def append_row_result(self, row_result):
        if self.sink is None:
            super().append_row_result(row_result)
        else:
            self.sink(row_result)

    def append_invalid_row(self, number, row, validation_error):
        self.refused += 1
        if self.sink is None:
            super().append_invalid_row(number, row, validation_error)

    def has_validation_errors(self):
        return self.refused > 0


class Changes(resources.Diff):
    """The columns a row changes, added to its resource's `changes` for the sink (the diff's HTML is
    not made: skip_html_diff)."""

    def compare_with(self, resource, instance):
        super().compare_with(resource, instance)
        if not self.new:
            resource.changes += [field.column_name for field, was, now in
                                 zip(resource.get_import_fields(), self.left, self.right, strict=False)
                                 if was != now and field.column_name not in resource.changes]


class SheetResource(resources.ModelResource):
    """What every sheet's resource does: see the module."""

    def __init__(self, sink=None, **kwargs):
        super().__init__(**kwargs)
        self.sink = sink
        self.changes = []

    def get_result_class(self):
        return lambda: StreamedResult(self.sink)

    def get_diff_class(self):
        return Changes

    def before_import_row(self, row, **kwargs):
        self.changes = []

    def after_import_row(self, row, row_result, **kwargs):
        row_result.changes = list(self.changes)
        super().after_import_row(row, row_result, **kwargs)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=True, **kwargs):
        """As the admin does it: a sheet with any refused row writes nothing."""
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors,
                                   use_transactions=use_transactions, collect_failed_rows=collect_failed_rows,
                                   rollback_on_validation_errors=rollback_on_validation_errors, **kwargs)

    def before_import(self, dataset, **kwargs):
        without_empty_cells(dataset)
        if ROW_NUMBER not in (dataset.headers or []):
            dataset.append_col(list(range(2, len(dataset) + 2)), header=ROW_NUMBER)


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
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name + '导入模板')}.xlsx"
    return response
