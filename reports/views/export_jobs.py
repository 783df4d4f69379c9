"""The pages of ExportJob (reports.exports): ask for a report's PDF or a quarter's Word and PDF,
watch the job's progress, take its file, run a failed one again. A job is its requester's alone:
for anyone else it does not exist (404)."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reports import exports
from reports.labels import PERIODS
from reports.models import ExportJob
from reports.views.access import visible_report
from reports.word.pdf import pdf_available


def _job(request, job_id) -> ExportJob:
    return get_object_or_404(ExportJob.objects.select_related("report"), pk=job_id, requested_by=request.user)


def _started(job):
    # ?new=1: the page was opened by the click that asked, so a file that is ready downloads at once.
    return redirect(f"{job_url(job)}?new=1")


def job_url(job):
    return reverse("reports:export_job", args=[job.pk])


@require_POST
def request_pdf(request, pk):
    report = visible_report(request, pk)
    if not pdf_available():
        raise Http404(_("PDF 转换不可用"))
    return _started(exports.request_pdf(request.user, report))


@require_POST
def request_quarter(request, year, quarter):
    if quarter not in PERIODS or not pdf_available():
        raise Http404
    return _started(exports.request_quarter(request.user, year, quarter))


@require_safe
def job_page(request, job_id):
    """The job's progress, then its file. htmx asks for the status part again every second
    until the job is finished."""
    job = _job(request, job_id)
    context = {"job": job, "title": exports.title(job), "autostart": request.GET.get("new") == "1"}
    if request.htmx:
        return render(request, "reports/_export_job_status.html", context)
    return render(request, "reports/export_job.html", context)


@require_safe
def job_file(request, job_id):
    job = _job(request, job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404(_("文件尚未生成"))
    content_type = "application/pdf" if job.kind == ExportJob.Kind.PDF else "application/zip"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=content_type)


@require_POST
def job_retry(request, job_id):
    job = _job(request, job_id)
    if job.status != ExportJob.Status.FAILED:
        messages.info(request, _("该任务没有失败，无需重试。"))
        return redirect(job_url(job))
    exports.retry(job)
    return _started(job)
