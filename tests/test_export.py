"""Downloads: what the export pages say, in the reader's language."""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse

from reports.word.pdf import PdfUnavailable


@pytest.fixture
def report(report_factory, tree):
    return report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["认真学习。"])])


def in_language(client, user, language):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def failing_conversion(documents):
    raise PdfUnavailable("soffice exited with 1")


@pytest.mark.parametrize(("language", "said"), [
    ("en", "Failed: PDF conversion failed (LibreOffice: soffice exited with 1)"),
    ("zh-hans", "生成失败：PDF 转换失败（LibreOffice：soffice exited with 1）")], ids=["en", "zh-hans"])
def test_a_failed_pdf_conversion_says_so_in_the_readers_language(client, drafter, report, monkeypatch, language, said,
                                                                   django_capture_on_commit_callbacks):
    monkeypatch.setattr("reports.views.export_jobs.pdf_available", lambda: True)
    monkeypatch.setattr("reports.exports.convert_many", failing_conversion)
    client = in_language(client, drafter, language)
    # The job runs after the request's commit; the job page the click leads to then says what failed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export_pdf", args=[report.pk]))
    assert said in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("language", "said"), [("en", "PDF conversion is not available"),
                                                ("zh-hans", "PDF 转换不可用")], ids=["en", "zh-hans"])
def test_pdf_unavailable_is_a_404_in_the_readers_language(client, drafter, report, monkeypatch, language, said):
    # The 404 page itself does not show the reason (it says the page does not exist); the
    # reason is what Django hands the page and what DEBUG shows a developer.
    monkeypatch.setattr("reports.views.export_jobs.pdf_available", lambda: False)
    response = in_language(client, drafter, language).post(reverse("reports:export_pdf", args=[report.pk]))
    assert response.status_code == 404
    assert response.context["exception"] == said


@pytest.mark.parametrize(("language", "disposition"), [
    ("en", 'attachment; filename="Q1 2023 approved reports.zip"'),
    # 2023年第一季度已审定报告.zip (the quarter named as everywhere else), percent-encoded as
    # RFC 6266 wants for a name that is not ASCII
    ("zh-hans", "attachment; filename*=utf-8''" + quote("2023年第一季度已审定报告.zip")),
], ids=["en", "zh-hans"])
def test_the_quarters_zip_is_named_in_the_readers_language(client, drafter, report, language, disposition):
    response = in_language(client, drafter, language).get(reverse("reports:export_zip", args=[2023, 1]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == disposition
