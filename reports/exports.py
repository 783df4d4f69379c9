"""Files made outside the request (ExportJob): a report's PDF, and a quarter's approved reports as
Word and PDF in one .zip. LibreOffice takes seconds per call, so no request waits on it: the view
records the job and queues `run_export`; the job's page shows done of total while a worker makes
the file and then offers it. Without configuration the task runs in-process (settings.TASKS), so
a laptop needs nothing more; with JIBAO_TASKS=database, `manage.py db_worker` processes on any
number of machines take the jobs.

A quarter's PDFs are converted PDF_BATCH reports per LibreOffice process: the start of LibreOffice
is paid once per batch, and the progress moves after each batch. A failure (LibreOffice missing,
a conversion that fails, storage that refuses the file) is kept on the job in the user's words,
with the technical reason in the log, and the job can be run again.
"""

import logging
import tempfile
import zipfile
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from reports.labels import period_name
from reports.models import ExportJob, Report
from reports.review import notices
from reports.word.archive import approved_reports, archive_name
from reports.word.pdf import PdfUnavailable, convert_many
from reports.word.writer import docx_filename, render_docx

logger = logging.getLogger(__name__)

PDF_BATCH = 20
# A made file is kept this long for its requester to take, then removed with its job (purge).
KEEP_DAYS = 7
ERROR_CHARS = 500
# A job the same person asked for again while it is still queued or running is that job, not a new one.
OPEN_STATUSES = (ExportJob.Status.PENDING, ExportJob.Status.RUNNING)


def request_pdf(user: AbstractBaseUser, report: Report) -> ExportJob:
    return _request(user, kind=ExportJob.Kind.PDF, report=report)


def request_quarter(user: AbstractBaseUser, year: int, quarter: int) -> ExportJob:
    return _request(user, kind=ExportJob.Kind.QUARTER, year=year, quarter=quarter)


def _request(user, **subject) -> ExportJob:
    job = ExportJob.objects.filter(requested_by=user, status__in=OPEN_STATUSES, **subject).first()
    if job is None:
        job = ExportJob.objects.create(requested_by=user, **subject)
        enqueue(job)
    return job


def retry(job: ExportJob) -> ExportJob:
    """Run a failed job again from the start."""
    if job.status == ExportJob.Status.FAILED:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.PENDING, done=0, failure="", error="",
                                                   finished_at=None)
        job.refresh_from_db()
        enqueue(job)
    return job


def enqueue(job: ExportJob) -> None:
    # After the commit: a worker on another connection must find the job's row.
    transaction.on_commit(lambda: run_export.enqueue(job.pk), robust=True)


@task()
def run_export(job_id: int) -> str:
    """Make the job's file. Claimed by a conditional UPDATE, so that two workers given the same
    job (a retry queued twice) do not both make it."""
    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(status=ExportJob.Status.RUNNING):
        return "not pending"
    job = ExportJob.objects.select_related("report__organization", "requested_by").get(pk=job_id)
    try:
        if job.kind == ExportJob.Kind.PDF:
            _make_pdf(job)
        else:
            _make_quarter(job)
    except Exception as error:  # whatever went wrong, the job says so and can be run again
        logger.exception("export job %s failed", job_id)
        _fail(job, error)
        return "failed"
    return "done"


def purge(now=None) -> int:
    """Remove the finished jobs older than KEEP_DAYS, and their files; run by send_due_reminders.
    Returns how many went."""
    before = (now or timezone.now()) - timedelta(days=KEEP_DAYS)
    old = list(ExportJob.objects.filter(status__in=(ExportJob.Status.DONE, ExportJob.Status.FAILED),
                                        created_at__lt=before))
    for job in old:
        job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)


def _progress(job: ExportJob, done: int, total: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(done=done, total=total)


def _finish(job: ExportJob, filename: str, content) -> None:
    job.file.save(filename, content, save=False)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.DONE, file=job.file.name, filename=filename,
                                               done=job.total, finished_at=timezone.now())
    if job.kind == ExportJob.Kind.QUARTER:
        # Minutes for a large quarter: the requester need not keep the page open.
        notices.deliver([job.requested_by], _("【季报】文件已生成：%(name)s") % {"name": filename},
                        _("您申请的文件已生成，可在此下载。"), notices.path("reports:export_job", job.pk))


def _fail(job: ExportJob, error: Exception) -> None:
    if isinstance(error, PdfUnavailable):
        failure, detail = ExportJob.Failure.CONVERSION, str(error).strip()
    else:
        failure, detail = ExportJob.Failure.OTHER, f"{type(error).__name__}: {error}"
    # The end of LibreOffice's output says what went wrong; its start is the program's banner.
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED, failure=failure,
                                               error=detail[-ERROR_CHARS:], finished_at=timezone.now())


def _make_pdf(job: ExportJob) -> None:
    job.total = 1
    _progress(job, 0, 1)
    pdf = convert_many([render_docx(job.report)])[0]
    _finish(job, docx_filename(job.report).removesuffix(".docx") + ".pdf", ContentFile(pdf))


def title(job: ExportJob) -> str:
    """What the job makes, as its page names it."""
    if job.kind == ExportJob.Kind.PDF:
        return _("%(report)s（PDF）") % {"report": job.report}
    return _("%(period)s已审定报告（Word 和 PDF）") % {"period": period_name(job.year, job.quarter)}


def quarter_filename(year: int, quarter: int) -> str:
    return _("%(period)s已审定报告（Word 和 PDF）.zip") % {"period": period_name(year, quarter)}


def _make_quarter(job: ExportJob) -> None:
    """Each approved report the requester sees, as `<body>.docx` and `<body>.pdf`, written into a
    temporary file a batch at a time (memory holds one batch), then put in storage."""
    reports = approved_reports(Report.objects.visible_to(job.requested_by), job.year, job.quarter)
    job.total = reports.count()
    _progress(job, 0, job.total)
    taken, done = set(), 0
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            batch = []
            for report in reports.iterator(chunk_size=PDF_BATCH):
                batch.append((archive_name(report, taken), render_docx(report)))
                if len(batch) == PDF_BATCH:
                    done = _write_batch(archive, batch, job, done)
                    batch = []
            if batch:
                done = _write_batch(archive, batch, job, done)
        spool.seek(0)
        _finish(job, quarter_filename(job.year, job.quarter), File(spool))


def _write_batch(archive, batch, job, done) -> int:
    pdfs = convert_many([data for _name, data in batch])
    for (name, data), pdf in zip(batch, pdfs, strict=True):
        archive.writestr(name, data)
        archive.writestr(name.removesuffix(".docx") + ".pdf", pdf)
    done += len(batch)
    _progress(job, done, job.total)
    return done
