"""A real Chromium, driven by Playwright, clicks through the pages as a drafter would."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_drafter_logs_in_and_reads_the_sample_report(page, live_server, demo, artifacts_dir):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/"))  # a page asks for a login first
    log_in(page, live_server, "drafter")
    expect(page.get_by_role("heading", name="报告")).to_be_visible()
    page.screenshot(path=artifacts_dir / "report-list.png", full_page=True)

    page.get_by_role("link", name=demo.title).click()
    sheet = page.get_by_test_id("report-sheet")
    expect(sheet).to_be_visible()
    expect(sheet.locator(".doc-title")).to_have_text(demo.title)
    expect(sheet.locator(".doc-section")).to_have_text(["一、主要做法", "二、存在的主要问题", "三、下一步的打算"])
    headings = sheet.locator(".doc-heading")
    expect(headings).to_have_count(4)
    expect(headings.nth(0)).to_contain_text("（一）深化理论学习，把准正确方向。一是坚持把全面学习")
    expect(headings.nth(3)).to_contain_text("（四）大兴调查研究，助推全面振兴。")
    expect(headings.nth(1).locator(".run-ordinal")).to_have_text(
        ["（二）", "一是", "二是", "三是", "四是", "五是", "六是"]
    )
    measures = sheet.locator(".run-measure")
    expect(measures).to_have_count(8)
    expect(sheet).to_contain_text("理论学习中心组学习会议3次，集体交流研讨2次")
    expect(sheet).to_contain_text("开展廉政谈话26人次")
    expect(sheet).to_contain_text("形成了包括10件提案的")
    expect(sheet.locator(".measure-missing")).to_have_count(0)
    expect(sheet.locator(".sheet-mark")).to_have_text("草稿")
    page.screenshot(path=artifacts_dir / "report-detail.png", full_page=False)
    sheet.screenshot(path=artifacts_dir / "report-sheet.png")


def test_wrong_password_shows_the_message_and_keeps_the_user_on_login(page, live_server, demo):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("drafter")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_the_word_file_downloads_from_the_report_page_and_opens(page, live_server, demo, tmp_path):
    import docx

    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{demo.pk}/")
    with page.expect_download() as download_info:
        page.get_by_test_id("download-docx").click()
    download = download_info.value
    assert download.suggested_filename == f"{demo.title}.docx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    word = docx.Document(str(target))
    assert [p.text for p in word.paragraphs[:2]] == ["市政协党组2023年第一季度", "履行全面从严治党主体责任情况报告"]
    assert word.paragraphs[0].style.name == "公文标题"
    assert any(p.text == "一、主要做法" and p.style.name == "一级标题" for p in word.paragraphs)
    assert word.sections[0].header.paragraphs[0].text == "草稿"


def test_the_pdf_is_made_as_a_job_and_downloads_by_itself(page, live_server, demo, artifacts_dir):
    log_in(page, live_server, "drafter")
    page.goto(f"{live_server.url}/reports/{demo.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 PDF").click()
    assert download_info.value.suggested_filename == f"{demo.title}.pdf"
    expect(page.get_by_test_id("export-job")).to_contain_text("文件已生成。")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{demo.title}（PDF）")
    page.screenshot(path=artifacts_dir / "export-job-done.png", full_page=True)


def test_a_jobs_page_follows_its_progress_until_the_file_is_there(page, live_server, demo, artifacts_dir):
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from reports.models import ExportJob

    overseer = get_user_model().objects.get(username="overseer")
    job = ExportJob.objects.create(kind="quarter", requested_by=overseer, year=2023, quarter=1, status="running",
                                   done=120, total=300)
    log_in(page, live_server, "overseer")
    page.goto(f"{live_server.url}/reports/exports/{job.pk}/")
    expect(page.get_by_test_id("export-job-progress")).to_contain_text("120 / 300 份")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "120")
    page.screenshot(path=artifacts_dir / "export-job-running.png", full_page=True)
    ExportJob.objects.filter(pk=job.pk).update(done=240)
    expect(page.get_by_test_id("export-job-progress")).to_contain_text("240 / 300 份")
    job.file.save("quarter.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=False)
    ExportJob.objects.filter(pk=job.pk).update(status="done", done=300, file=job.file.name,
                                               filename="2023年第一季度已审定报告（Word 和 PDF）.zip")
    expect(page.get_by_test_id("export-job-file")).to_have_text("下载 2023年第一季度已审定报告（Word 和 PDF）.zip")
    expect(page.get_by_test_id("export-job")).not_to_contain_text("/ 300 份")
