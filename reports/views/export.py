"""Downloads: the report as .docx (any state; an unfinished one carries its 草稿 or 送审稿 stamp), its
审阅稿 (the latest submission with its changes tracked and the round's comments as Word comments), the
report with its 佐证材料 as one .zip, and a quarter's approved reports as one .zip (with their 佐证材料
on ?evidence=1), all streamed at once. The PDF, which takes LibreOffice seconds, is a job
(reports/views/export_jobs.py)."""

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reports.labels import PERIODS, period_name
from reports.models import Report
from reports.views.access import visible_report
from reports.word.archive import approved_reports, stream_zip
from reports.word.evidence_archive import report_zip_filename, stream_report_zip
from reports.word.review_copy import render_review_docx, review_docx_filename
from reports.word.writer import DOCX_MIME, docx_filename, render_docx


def _download(data, content_type, filename):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
def export_docx(request, pk):
    report = visible_report(request, pk)
    return _download(render_docx(report), DOCX_MIME, docx_filename(report))


@require_safe
def export_review_docx(request, pk):
    report = visible_report(request, pk)
    return _download(render_review_docx(report), DOCX_MIME, review_docx_filename(report))


def _streamed_zip(chunks, filename):
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_safe
def export_evidence_zip(request, pk):
    report = visible_report(request, pk)
    return _streamed_zip(stream_report_zip(report), report_zip_filename(report))


@require_safe
def export_quarter_zip(request, year, quarter):
    if quarter not in PERIODS:
        raise Http404
    reports = approved_reports(Report.objects.visible_to(request.user), year, quarter)
    evidence = request.GET.get("evidence") == "1"
    period = period_name(year, quarter)
    filename = (_("%(period)s已审定报告（含佐证材料）.zip") if evidence else _("%(period)s已审定报告.zip")) % {"period": period}
    return _streamed_zip(stream_zip(reports.iterator(chunk_size=50), evidence=evidence), filename)
