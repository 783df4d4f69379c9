"""An onboarding sheet through the admin (reports.onboarding.jobs, admin_pages): the upload is kept
and previewed by a task, row by row with each row's number in the sheet, refused rows first with
their reason; 确认导入 imports it once; the record says who imported what, when; a file that is not
a sheet is refused with its reason; a real `db_worker` process previews and imports."""

import io
import os
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Membership, Organization, SheetImport
from reports.onboarding import jobs
from tests.test_export_jobs import manage
from tests.test_onboarding import HEADERS, PEOPLE, PEOPLE_HEADERS, PROVINCE, xlsx

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:reports_organization_import")


class Admin:
    """The administrator's client, with the tasks that a request queues run once it commits."""

    def __init__(self, client, commits):
        self.client, self.commits = client, commits

    def upload(self, name, content, url=IMPORT):
        with self.commits(execute=True):
            return self.client.post(url, {"file": SimpleUploadedFile(name, content)})

    def confirm(self, sheet, **kwargs):
        with self.commits(execute=True):
            return self.client.post(reverse("admin:reports_sheetimport_change", args=[sheet.pk]), **kwargs)


@pytest.fixture
def admin(admin_client, django_capture_on_commit_callbacks):
    return Admin(admin_client, django_capture_on_commit_callbacks)


def sheet_page(client, response, **query):
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"], query)
    assert page.status_code == 200
    return page, page.content.decode()


def shown_rows(page):
    """(number, kind, reasons) of each row the page lists."""
    return [(row.number, row.kind, row.reasons) for row, _cells in page.context["rows"]]


def test_a_refused_row_is_shown_with_its_number_in_the_sheet_and_nothing_is_written(admin):
    page, html = sheet_page(admin.client, admin.upload("单位-有误.xlsx", xlsx([*PROVINCE, ["某某乡", "", "某某省"]])))
    sheet = SheetImport.objects.get()
    assert sheet.status == SheetImport.Status.REFUSED and sheet.totals["invalid"] == 1
    assert shown_rows(page) == [(6, "invalid", "上级单位“某某省”不存在，也不在表中。")]  # row 6 of the workbook
    assert "有 1 行被拒绝，没有写入任何内容" in html and "确认导入" not in html and "重新导入" in html
    assert not Organization.objects.exists()
    assert admin.confirm(sheet).status_code == 302
    assert SheetImport.objects.get().status == SheetImport.Status.REFUSED and not Organization.objects.exists()


def test_a_good_sheet_is_previewed_then_imported_once_and_recorded(admin, admin_user):
    page, html = sheet_page(admin.client, admin.upload("单位.xlsx", xlsx(PROVINCE)))
    sheet = SheetImport.objects.get()
    assert sheet.status == SheetImport.Status.PREVIEWED and not Organization.objects.exists()
    # In the sheet's order, by its row numbers, though the county's office was imported after its county.
    assert shown_rows(page) == [(2, "new", ""), (3, "new", ""), (4, "new", ""), (5, "new", "")]
    assert sheet.headers == HEADERS and "确认导入" in html and "新增 4 行" in html
    done = admin.confirm(sheet)
    assert done.status_code == 302 and Organization.objects.count() == 4
    sheet.refresh_from_db()
    assert (sheet.status, sheet.uploaded_by, sheet.filename, sheet.totals["new"]) == (
        SheetImport.Status.IMPORTED, admin_user, "单位.xlsx", 4)
    assert sheet.imported_at >= sheet.created_at
    # The form of the preview sent again (a second tab, the back button) imports nothing twice.
    again = admin.confirm(sheet, follow=True)
    assert "已经导入或不能导入" in again.content.decode() and Organization.objects.count() == 4
    listing = admin.client.get(IMPORT).content.decode()
    assert "最近的导入" in listing and "单位.xlsx" in listing and "已导入" in listing


def test_a_changed_sheet_shows_the_columns_it_changes(admin):
    admin.upload("单位.xlsx", xlsx(PROVINCE))
    admin.confirm(SheetImport.objects.get())
    changed = [row[:] for row in PROVINCE]
    changed[3][1] = "政协"
    uploaded = admin.upload("单位-改.xlsx", xlsx(changed))
    page, html = sheet_page(admin.client, uploaded)
    sheet = SheetImport.objects.first()
    assert (sheet.totals["update"], sheet.totals["skip"], sheet.totals["new"]) == (1, 3, 0)
    [(row, cells)] = page.context["rows"]  # the rows that change, not the unchanged ones
    assert (row.number, row.kind, row.changes) == (5, "update", ["简称"])
    assert cells == [("市政协党组", False), ("政协", True), ("某某市", False)]
    everything, _html = sheet_page(admin.client, uploaded, rows="all")
    assert [kind for _number, kind, _r in shown_rows(everything)] == ["skip", "skip", "skip", "update"]


def test_a_persons_changed_e_mail_is_the_changed_column(admin):
    admin.upload("单位.xlsx", xlsx(PROVINCE))
    admin.confirm(SheetImport.objects.get())
    people_import = reverse("admin:reports_membership_import")
    admin.upload("人员.xlsx", xlsx(PEOPLE, PEOPLE_HEADERS), people_import)
    admin.confirm(SheetImport.objects.first())
    assert Membership.objects.count() == 3
    changed = [row[:] for row in PEOPLE]
    changed[0][2] = "wxn@example.org"
    page, _html = sheet_page(admin.client, admin.upload("人员.xlsx", xlsx(changed, PEOPLE_HEADERS), people_import))
    assert [(row.number, row.kind, row.changes) for row, _cells in page.context["rows"]] == [(2, "update", ["电子邮箱"])]
    assert get_user_model().objects.get(username="wangxn").email == "wangxn@example.org"  # a preview only


def test_a_sheet_without_its_name_column_says_so(admin):
    _page, html = sheet_page(admin.client, admin.upload("单位.xlsx", xlsx([["县委办", "某某县"]], ["简称", "上级单位"])))
    sheet = SheetImport.objects.get()
    assert sheet.status == SheetImport.Status.REFUSED and "表中没有“单位名称”一列。" in html


def docx_bytes():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
    return stream.getvalue()


@pytest.mark.parametrize("name, content, reason", [
    ("单位.xlsx", docx_bytes(), "它不是有效的 .xlsx 表格"),  # a Word file renamed
    ("单位.xlsx", b"\x00\x01 not a zip", "它不是有效的 .xlsx 表格"),
    ("单位.csv", "单位名称,简称\n".encode("utf-16"), "请以 UTF-8 或 GBK 编码保存"),
    ("单位.xlsx", xlsx([]), "表格中没有数据"),
], ids=["word-renamed", "not-a-zip", "utf-16-csv", "empty"])  # the bytes differ per process (zip times)
def test_a_file_that_is_not_a_sheet_is_refused_with_its_reason(admin, name, content, reason):
    _page, html = sheet_page(admin.client, admin.upload(name, content))
    sheet = SheetImport.objects.get()
    assert sheet.status == SheetImport.Status.FAILED and reason in sheet.error and reason in html
    assert not Organization.objects.exists() and "确认导入" not in html


def test_an_old_excel_file_or_a_huge_one_is_refused_at_the_upload(admin, monkeypatch):
    page = admin.upload("单位.xls", b"\xd0\xcf\x11\xe0 old excel")
    assert page.status_code == 200 and "旧版 .xls 请先在 Excel 或 WPS 中另存为 .xlsx" in page.content.decode()
    monkeypatch.setattr(jobs, "MAX_SHEET_BYTES", 1000)
    page = admin.upload("单位.xlsx", xlsx(PROVINCE * 40))
    assert page.status_code == 200 and "文件超过 20 MB" in page.content.decode()
    assert not SheetImport.objects.exists()


def test_a_csv_saved_by_excel_in_chinese_and_control_characters_in_cells(admin):
    text = "单位名称,简称,上级单位\n某某市,,\n某某县\x07,县\x0b,某某市\n"
    sheet_page(admin.client, admin.upload("单位.csv", text.encode("gb18030")))
    sheet = SheetImport.objects.get()
    assert sheet.status == SheetImport.Status.PREVIEWED, sheet.error
    admin.confirm(sheet)
    assert Organization.objects.get(name="某某县").short_name == "县"


def test_a_long_preview_is_read_page_by_page(admin):
    rows = [["某某市", "", ""], *[[f"第{n}单位", "", "某某市"] for n in range(1, 150)]]
    uploaded = admin.upload("单位.xlsx", xlsx(rows))
    page, html = sheet_page(admin.client, uploaded)
    assert len(page.context["rows"]) == 100 and "第 1 页，共 2 页" in html and "下一页" in html
    second, _html = sheet_page(admin.client, uploaded, page=2)
    assert [number for number, _kind, _r in shown_rows(second)] == list(range(102, 152))


def test_imports_are_for_administrators_only(client, drafter, admin):
    admin.upload("单位.xlsx", xlsx(PROVINCE))
    sheet = SheetImport.objects.get()
    client.force_login(drafter)
    for response in (client.get(IMPORT), client.get(reverse("admin:reports_sheetimport_change", args=[sheet.pk])),
                     client.post(reverse("admin:reports_sheetimport_change", args=[sheet.pk]))):
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert SheetImport.objects.get().status == SheetImport.Status.PREVIEWED
    assert not Organization.objects.filter(name="某某县委办公室党组").exists()


WORKER_SETUP = """
import io, openpyxl
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from reports.onboarding import jobs
book = openpyxl.Workbook()
for row in [["单位名称", "简称", "上级单位"], ["某某县", "", "某某市"], ["某某市", "", ""]]:
    book.active.append(row)
stream = io.BytesIO()
book.save(stream)
admin = get_user_model().objects.create_superuser("admin")
with transaction.atomic():
    jobs.request_import(admin, "bodies", SimpleUploadedFile("单位.xlsx", stream.getvalue()))
"""
WORKER_CONFIRM = """
from django.db import transaction
from reports.models import SheetImport
from reports.onboarding import jobs
with transaction.atomic():
    print(jobs.confirm(SheetImport.objects.get()))
"""
WORKER_CHECK = """
from reports.models import Organization, SheetImport
sheet = SheetImport.objects.get()
print(sheet.status, sheet.rows.count(), Organization.objects.count())
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_previews_and_imports_a_sheet(tmp_path):
    """JIBAO_TASKS=database: the upload is only kept and queued; `manage.py db_worker`, its own
    process, previews it and, once confirmed, imports it."""
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "true",
                   "JIBAO_TASKS": "database", "MEDIA_ROOT": str(tmp_path / "media")}
    manage(environment, "migrate", "--noinput")
    manage(environment, "shell", "-c", WORKER_SETUP)
    assert manage(environment, "shell", "-c", WORKER_CHECK) == "previewing 0 0"
    worker = ("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    manage(environment, *worker)
    assert manage(environment, "shell", "-c", WORKER_CHECK) == "previewed 2 0"
    assert manage(environment, "shell", "-c", WORKER_CONFIRM) == "True"
    manage(environment, *worker)
    assert manage(environment, "shell", "-c", WORKER_CHECK) == "imported 2 2"
