"""What both onboarding sheets share: an empty cell is an empty string (a workbook's empty cell is
None, which the preview would print as "None"), and a sheet with any refused row writes nothing."""

from import_export import resources


def without_empty_cells(dataset) -> None:
    """Every empty cell as "" and every other one as its text, stripped, in place."""
    headers = dataset.headers
    rows = [tuple("" if cell is None else str(cell).strip() for cell in row) for row in dataset]
    dataset.wipe()
    dataset.headers = headers
    for row in rows:
        dataset.append(row)


class SheetResource(resources.ModelResource):
    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=True, **kwargs):
        """As the admin does it: a sheet with any refused row writes nothing."""
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors,
                                   use_transactions=use_transactions, collect_failed_rows=collect_failed_rows,
                                   rollback_on_validation_errors=rollback_on_validation_errors, **kwargs)

    def before_import(self, dataset, **kwargs):
        without_empty_cells(dataset)
