"""Onboarding sheets outside the request (SheetImport): a province's sheet of 70,000 people takes
minutes to preview and to import, longer than any web server waits for a request. The upload is
kept in the default storage and recorded; a task previews it (a dry run, rolled back) and writes
each row's result to the record as it comes, through a temporary file, never holding the rows in
memory; the administrator reads the preview page by page and confirms; another task imports the
same file in one transaction. Without configuration the tasks run in-process (settings.TASKS); with
JIBAO_TASKS=database, `manage.py db_worker` processes take them.

A file that is not a sheet (a Word file renamed, a broken workbook, a CSV in neither UTF-8 nor
GB18030, a file too large) is refused with its reason in Chinese, and nothing is written."""

import io
import json
import logging
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from import_export.formats.base_formats import CSV, XLSX

from reports.document.text import decode_text
from reports.models import SheetImport, SheetImportRow
from reports.onboarding.bodies import BodyResource
from reports.onboarding.due_dates import DueDateResource
from reports.onboarding.people import PersonResource
from reports.onboarding.sheets import ROW_NUMBER

logger = logging.getLogger(__name__)

RESOURCES = {SheetImport.Kind.BODIES: BodyResource, SheetImport.Kind.PEOPLE: PersonResource,
             SheetImport.Kind.DUE_DATES: DueDateResource}
MAX_SHEET_BYTES = 20 * 1024 * 1024  # a province's 70,000 people are about 3 MB as .xlsx
MAX_EXPANDED_BYTES = 400 * 1024 * 1024  # what a workbook may unzip to
ROW_BATCH = 1000
ERROR_CHARS = 500

TOO_LARGE = gettext_lazy("文件超过 20 MB，不能导入。请把表格分成几个文件分别导入。")
NOT_A_SHEET = gettext_lazy("只能导入 .xlsx 或 .csv 格式的表格。旧版 .xls 请先在 Excel 或 WPS 中另存为 .xlsx。")
BROKEN = gettext_lazy("无法读取这个文件：它不是有效的 .xlsx 表格（可能已损坏，或是改了扩展名的其他文件）。")
ZIP_BOMB = gettext_lazy("文件解压后过大，为安全起见不能导入。")
ENCODING = gettext_lazy("无法读取这个 .csv 文件的文字：请以 UTF-8 或 GBK 编码保存后再导入。")
EMPTY = gettext_lazy("表格中没有数据：第一行应是列名，从第二行起每行一条。")
FAILED = gettext_lazy("导入时出错，没有写入任何内容。请稍后重试；仍不成功请联系系统管理员。")
CHANGED_SINCE = gettext_lazy("导入时发现有被拒绝的行（预览之后数据已有变化），没有写入任何内容。请按原因改正表格后重新导入。")


class SheetRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def request_import(user, kind: str, upload) -> SheetImport:
    """Keep the uploaded sheet and queue its preview; SheetRefused for a file that cannot be one."""
    suffix = PurePath(upload.name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise SheetRefused(NOT_A_SHEET)
    if upload.size > MAX_SHEET_BYTES:
        raise SheetRefused(TOO_LARGE)
    sheet = SheetImport(kind=kind, filename=PurePath(upload.name).name[:200], uploaded_by=user)
    sheet.file.save(f"sheet{suffix}", upload, save=False)
    sheet.save()
    transaction.on_commit(lambda: preview_sheet.enqueue(sheet.pk), robust=True)
    return sheet


def confirm(sheet: SheetImport) -> bool:
    """Queue the import of a previewed sheet. False when it is no longer waiting for that (imported,
    refused, or confirmed already from another page): a stale form imports nothing twice."""
    if not SheetImport.objects.filter(pk=sheet.pk, status=SheetImport.Status.PREVIEWED).update(
            status=SheetImport.Status.IMPORTING):
        return False
    transaction.on_commit(lambda: apply_sheet.enqueue(sheet.pk), robust=True)
    return True


@task()
def preview_sheet(sheet_id: int) -> str:
    return _run(sheet_id, SheetImport.Status.PREVIEWING, dry_run=True)


@task()
def apply_sheet(sheet_id: int) -> str:
    return _run(sheet_id, SheetImport.Status.IMPORTING, dry_run=False)


def read_dataset(sheet: SheetImport):
    """The sheet's rows as a tablib Dataset, or SheetRefused with the reason."""
    with sheet.file.open("rb") as stream:
        data = stream.read(MAX_SHEET_BYTES + 1)
    if len(data) > MAX_SHEET_BYTES:
        raise SheetRefused(TOO_LARGE)
    if PurePath(sheet.file.name).suffix.lower() == ".xlsx":
        try:
            expanded = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
            raise SheetRefused(BROKEN) from None
        if expanded > MAX_EXPANDED_BYTES:
            raise SheetRefused(ZIP_BOMB)
        try:
            dataset = XLSX().create_dataset(data)
        except Exception:  # openpyxl refuses a broken workbook with many kinds of error
            logger.info("sheet import %s: not a workbook", sheet.pk, exc_info=True)
            raise SheetRefused(BROKEN) from None
    else:
        text = decode_text(data)  # Excel in Chinese saves CSV as GBK
        if text is None:
            raise SheetRefused(ENCODING)
        dataset = CSV().create_dataset(text)
    if not dataset.headers or not len(dataset):
        raise SheetRefused(EMPTY)
    return dataset


def _run(sheet_id: int, status: str, *, dry_run: bool) -> str:
    sheet = SheetImport.objects.filter(pk=sheet_id, status=status).first()
    if sheet is None:
        return "not waiting"  # a task queued twice
    try:
        dataset = read_dataset(sheet)
    except SheetRefused as refused:
        _finish(sheet, SheetImport.Status.FAILED, error=refused.message)
        return "refused"
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        def sink(row_result):
            spool.write(json.dumps(_row_record(row_result), ensure_ascii=False) + "\n")

        try:
            result = RESOURCES[sheet.kind](sink=sink).import_data(dataset, dry_run=dry_run)
        except Exception:  # whatever went wrong, the record says so and nothing was written
            logger.exception("sheet import %s failed", sheet_id)
            _finish(sheet, SheetImport.Status.FAILED, error=str(FAILED))
            return "failed"
        headers = [header for header in dataset.headers if header != ROW_NUMBER]
        totals = {kind: result.totals.get(kind, 0) for kind in SheetImportRow.Kind.values}
        refused = result.has_validation_errors() or result.has_errors()
        if dry_run or refused:
            spool.seek(0)
            _keep_rows(sheet, spool)
        error = "；".join(_messages(error.error) for error in result.base_errors)
        if dry_run:
            _finish(sheet, SheetImport.Status.REFUSED if refused else SheetImport.Status.PREVIEWED,
                    headers=headers, totals=totals, error=error)
        elif refused:
            _finish(sheet, SheetImport.Status.REFUSED, totals=totals, error=error or str(CHANGED_SINCE))
        else:
            _finish(sheet, SheetImport.Status.IMPORTED, totals=totals, imported_at=timezone.now())
    return "done"


def _keep_rows(sheet: SheetImport, spool) -> None:
    SheetImportRow.objects.filter(sheet=sheet).delete()
    batch = []
    for line in spool:
        record = json.loads(line)
        batch.append(SheetImportRow(sheet=sheet, **record))
        if len(batch) == ROW_BATCH:
            SheetImportRow.objects.bulk_create(batch)
            batch = []
    SheetImportRow.objects.bulk_create(batch)


def _finish(sheet: SheetImport, status: str, **fields) -> None:
    if "error" in fields:
        fields["error"] = fields["error"][:ERROR_CHARS]
    SheetImport.objects.filter(pk=sheet.pk).update(status=status, **fields)


def _row_record(row_result) -> dict:
    values = row_result.row_values or {}
    reasons = []
    if row_result.validation_error is not None:
        reasons.append(_messages(row_result.validation_error))
    for error in row_result.errors:
        reasons.append(_("这一行无法导入（%(error)s）。") % {"error": error.error})
    return {"number": values.get(ROW_NUMBER) or 0, "kind": row_result.import_type,
            "cells": {str(header): _cell(value) for header, value in values.items() if header != ROW_NUMBER},
            "changes": list(getattr(row_result, "changes", [])), "reasons": "\n".join(reasons)}


def _messages(error) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "；".join(message for messages in error.message_dict.values() for message in messages)
        return "；".join(error.messages)
    return str(error)


def _cell(value) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
