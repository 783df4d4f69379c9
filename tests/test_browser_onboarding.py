"""An administrator onboards bodies from a workbook in the admin, in Chromium: a sheet with a
refused row is previewed with its row number and reason and writes nothing; the corrected sheet is
previewed, confirmed, and the tree exists; the import is in the record."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from reports.models import Organization
from tests.test_onboarding import HEADERS, PROVINCE, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_administrator_imports_the_bodies_sheet(page, live_server, tmp_path, artifacts_dir):
    get_user_model().objects.create_superuser("admin", "admin@example.org", "管理员-密码-2026")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("管理员-密码-2026")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="单位", exact=True).first.click()
    page.get_by_role("link", name="导入", exact=True).click()

    bad = tmp_path / "单位-有误.xlsx"
    bad.write_bytes(xlsx([*PROVINCE, ["某某乡", "", "某某省"]], HEADERS))
    page.get_by_label("表格文件").set_input_files(bad)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("有被拒绝的行")
    refused = page.get_by_role("row").filter(has_text="某某乡")
    expect(refused).to_contain_text("6")  # its row in the workbook
    expect(refused).to_contain_text("上级单位“某某省”不存在，也不在表中。")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "onboarding-refused.png", full_page=True)
    assert not Organization.objects.exists()

    good = tmp_path / "单位.xlsx"
    good.write_bytes(xlsx(PROVINCE, HEADERS))
    page.get_by_role("link", name="重新导入").click()
    page.get_by_label("表格文件").set_input_files(good)
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("待确认")
    expect(page.get_by_role("row").filter(has_text="某某县委办公室党组")).to_contain_text("新增")
    page.screenshot(path=artifacts_dir / "onboarding-preview.png", full_page=True)
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text("已导入")
    page.screenshot(path=artifacts_dir / "onboarding-imported.png", full_page=True)
    page.get_by_role("link", name="查看单位").click()
    expect(page.locator("#result_list")).to_contain_text("某某县委办公室党组")
    office = Organization.objects.get(name="某某县委办公室党组")
    assert [office.parent.name, office.parent.parent.name] == ["某某县", "某某市"]
