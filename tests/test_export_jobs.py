"""PDF and the quarter's Word and PDF as jobs (reports.exports): no request waits on LibreOffice;
the job's page shows its progress and then its file; a failure says why and can be retried; a
job is its requester's alone; a real `db_worker` process makes the quarter's .zip."""

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from reports import exports
from reports.models import ExportJob, Membership, Notice, Report
from reports.word.pdf import PdfUnavailable

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def approved_pair(tree, report_factory):
    """Two approved 2023 Q1 reports under 市纪委监委, and a draft that the .zip leaves out."""
    made = [report_factory(tree[key], sections=[("主要做法", "practices", ["认真学习。"])], status=Report.Status.APPROVED)
            for key in ("cppcc", "congress")]
    report_factory(tree["office"], status=Report.Status.DRAFT)
    return made


def follow_job(client, response):
    assert response.status_code == 302 and response["Location"].endswith("?new=1")
    page = client.get(response["Location"])
    return ExportJob.objects.get(pk=page.context["job"].pk), page


def test_a_reports_pdf_is_a_job_whose_file_downloads_once_ready(client, drafter, approved_pair,
                                                                 django_capture_on_commit_callbacks):
    report = approved_pair[0]
    client.force_login(drafter)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("reports:export_pdf", args=[report.pk]))
    job, page = follow_job(client, started)
    assert (job.status, job.done, job.total, job.report_id) == ("done", 1, 1, report.pk)
    html = page.content.decode()
    assert "文件已生成。" in html and "data-autostart" in html  # the click that asked gets the file
    assert "hx-trigger" not in html  # finished: nothing polls any more
    download = client.get(reverse("reports:export_job_file", args=[job.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert ".pdf" in download["Content-Disposition"]
    # A GET never starts LibreOffice: the address only takes the form's POST.
    assert client.get(reverse("reports:export_pdf", args=[report.pk])).status_code == 405


def test_the_quarters_zip_holds_word_and_pdf_of_each_approved_report_and_says_when_ready(
        client, overseer, approved_pair, django_capture_on_commit_callbacks):
    client.force_login(overseer)
    board = client.get(reverse("tracking:board"), {"year": 2023}).content.decode()
    assert 'data-testid="zip-pdf-1"' in board
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("reports:export_quarter_pdf", args=[2023, 1]))
    job, page = follow_job(client, started)
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert "共 2 份报告，每份含 Word 和 PDF。" in page.content.decode()
    data = b"".join(client.get(reverse("reports:export_job_file", args=[job.pk])).streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        assert names == ["市人大常委会党组.docx", "市人大常委会党组.pdf", "市政协党组.docx", "市政协党组.pdf"]
        assert archive.read("市政协党组.pdf").startswith(b"%PDF")
    assert job.filename == "2023年第一季度已审定报告（Word 和 PDF）.zip"
    notice = Notice.objects.get(user=overseer)
    assert notice.subject == f"【季报】文件已生成：{job.filename}"
    assert notice.link == reverse("reports:export_job", args=[job.pk])


def test_a_job_in_progress_shows_done_of_total_and_keeps_asking(client, overseer):
    job = ExportJob.objects.create(kind="quarter", requested_by=overseer, year=2023, quarter=1, status="running",
                                   done=40, total=300)
    client.force_login(overseer)
    part = client.get(reverse("reports:export_job", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "40 / 300 份" in part and 'style="width: 13%"' in part
    assert 'hx-trigger="every 1s"' in part and "<html" not in part
    assert "生成后会在通知中告诉您" in part
    # Asking again while it runs is the same job, not a second one.
    assert exports.request_quarter(overseer, 2023, 1) == job


def test_a_failed_job_says_why_in_chinese_and_runs_again(client, drafter, approved_pair, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    report = approved_pair[0]

    def broken(documents):
        raise PdfUnavailable("Error: source file could not be loaded")

    monkeypatch.setattr(exports, "convert_many", broken)
    client.force_login(drafter)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("reports:export_pdf", args=[report.pk]))
    job, page = follow_job(client, started)
    assert job.status == "failed" and not job.file
    html = page.content.decode()
    assert "生成失败：PDF 转换失败（LibreOffice：Error: source file could not be loaded）" in html
    assert client.get(reverse("reports:export_job_file", args=[job.pk])).status_code == 404

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("reports:export_job_retry", args=[job.pk]))
    job, page = follow_job(client, again)
    assert job.status == "done" and job.error == ""
    assert "文件已生成。" in page.content.decode()


def test_a_job_is_its_requesters_alone(client, drafter, make_user, tree, approved_pair):
    job = ExportJob.objects.create(kind="pdf", requested_by=drafter, report=approved_pair[0], status="failed",
                                   error="x")
    colleague = make_user("colleague", organization=tree["cppcc"], role=Membership.Role.REVIEWER)
    client.force_login(colleague)
    for name in ("reports:export_job", "reports:export_job_file"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("reports:export_job_retry", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "failed"


def test_without_libreoffice_nothing_is_queued(client, drafter, approved_pair, monkeypatch):
    monkeypatch.setattr("reports.views.export_jobs.pdf_available", lambda: False)
    client.force_login(drafter)
    assert client.post(reverse("reports:export_pdf", args=[approved_pair[0].pk])).status_code == 404
    assert not ExportJob.objects.exists()


# ---- A real worker on the database queue ---------------------------------------------------------

SETUP = """
from django.contrib.auth import get_user_model
from django.db import transaction
from reports import exports
from reports.models import Membership, Organization, Report
city = Organization.objects.create(name="市纪委监委")
overseer = get_user_model().objects.create_user("overseer")
Membership.objects.create(user=overseer, organization=city, role="overseer")
for name in ("市政协党组", "市人大常委会党组", "市总工会党组"):
    body = Organization.objects.create(name=name, parent=city)
    Report.objects.create(organization=body, year=2023, quarter=1, title=name + "报告", opening="认真学习。",
                          status="approved")
with transaction.atomic():
    job = exports.request_quarter(overseer, 2023, 1)
print(job.pk)
"""

CHECK = """
import zipfile
from reports.models import ExportJob
job = ExportJob.objects.get()
names = sorted(zipfile.ZipFile(job.file.open("rb")).namelist()) if job.file else []
print(job.status, job.done, job.total, len(names), names[0] if names else "-")
"""


def manage(environment, *arguments):
    done = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def test_a_worker_process_makes_the_quarters_word_and_pdf(tmp_path):
    """JIBAO_TASKS=database: the request only records and queues the job; `manage.py db_worker`
    (its own process, as on another machine) converts and stores the file."""
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "true",
                   "JIBAO_TASKS": "database", "MEDIA_ROOT": str(tmp_path / "media")}
    manage(environment, "migrate", "--noinput")
    manage(environment, "shell", "-c", SETUP)
    assert manage(environment, "shell", "-c", CHECK) == "pending 0 0 0 -"  # queued, not made
    manage(environment, "db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert manage(environment, "shell", "-c", CHECK) == "done 3 3 6 市人大常委会党组.docx"
