"""Onboarding sheets (reports.onboarding): bodies and their tree from .xlsx and .csv, previewed
by a dry run with a status and reason per row, applied in one transaction, idempotent."""

import io

import openpyxl
import pytest
import tablib
from django.urls import reverse

from reports.models import Organization
from reports.onboarding.bodies import BodyResource

pytestmark = pytest.mark.django_db

HEADERS = ["单位名称", "简称", "上级单位"]
PROVINCE = [
    ["某某县委办公室党组", "县委办", "某某县"],  # before its parent: imported parents first
    ["某某市", "", ""],
    ["某某县", "", "某某市"],
    ["市政协党组", "市政协", "某某市"],
]


def sheet(rows, headers=HEADERS):
    return tablib.Dataset(*rows, headers=headers)


def statuses(result):
    """(name, import type, reasons) per row, in the order they were imported."""
    found = []
    for row in result.rows:
        reasons = []
        if row.validation_error is not None:
            reasons = [message for messages in row.validation_error.message_dict.values() for message in messages] \
                if hasattr(row.validation_error, "error_dict") else row.validation_error.messages
        found.append((row.object_repr or "", row.import_type, reasons))
    return found


def test_a_province_sheet_previews_parents_first_and_creates_nothing():
    result = BodyResource().import_data(sheet(PROVINCE), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert [(name, kind) for name, kind, _reasons in statuses(result)] == [
        ("某某市", "new"), ("某某县", "new"), ("某某县委办公室党组", "new"), ("市政协党组", "new")]
    assert not Organization.objects.exists()


def test_applied_it_builds_the_tree_and_again_changes_nothing():
    BodyResource().import_data(sheet(PROVINCE), dry_run=False)
    office = Organization.objects.get(name="某某县委办公室党组")
    assert (office.short_name, office.parent.name, office.parent.parent.name, office.depth) == ("县委办", "某某县", "某某市", 2)
    again = BodyResource().import_data(sheet(PROVINCE), dry_run=False)
    assert {kind for _name, kind, _reasons in statuses(again)} == {"skip"}
    changed = [row[:] for row in PROVINCE]
    changed[3][1] = "政协"
    result = BodyResource().import_data(sheet(changed), dry_run=False)
    assert [(name, kind) for name, kind, _r in statuses(result) if kind != "skip"] == [("市政协党组", "update")]
    assert Organization.objects.get(name="市政协党组").short_name == "政协"
    # Nothing is deleted by a sheet that leaves a body out.
    BodyResource().import_data(sheet(PROVINCE[1:2]), dry_run=False)
    assert Organization.objects.count() == 4


def test_each_bad_row_says_why_in_chinese_and_nothing_is_written():
    Organization.objects.create(name="某某市")
    rows = [
        ["某某县", "", "某某省"],             # an unknown parent
        ["甲单位", "", "乙单位"], ["乙单位", "", "甲单位"],  # a cycle
        ["丙单位", "", "某某市"], ["丙单位", "丙", "某某市"],  # a name twice
        ["丁单位", "", "某某市"],             # good
    ]
    result = BodyResource().import_data(sheet(rows), dry_run=False)
    reasons = {reason for _name, kind, found in statuses(result) if kind == "invalid" for reason in found}
    assert reasons == {"上级单位“某某省”不存在，也不在表中。", "单位“甲单位”与其上级单位互为上下级，形成了循环。",
                       "单位“乙单位”与其上级单位互为上下级，形成了循环。", "单位“丙单位”在表中出现了不止一次。"}
    assert [kind for name, kind, _r in statuses(result) if name == "丁单位"] == ["new"]
    assert list(Organization.objects.values_list("name", flat=True)) == ["某某市"]  # one transaction, rolled back


def test_a_move_under_its_own_child_is_refused():
    BodyResource().import_data(sheet(PROVINCE), dry_run=False)
    result = BodyResource().import_data(sheet([["某某市", "", "某某县"]]), dry_run=False)
    [(_name, kind, reasons)] = statuses(result)
    assert kind == "invalid" and reasons == ["上级单位不能是本单位或本单位的下级单位。"]
    assert Organization.objects.get(name="某某市").parent is None


CODED_HEADERS = ["单位名称", "简称", "单位代码", "上级单位"]


def test_the_body_above_may_be_named_by_its_code_in_the_sheet_or_already_kept():
    Organization.objects.create(name="某某省纪委监委", code="11330000")
    rows = [
        ["某某县委办公室党组", "县委办", "", "1133010001"],  # its county by the code the sheet gives it
        ["某某县", "", "1133010001", "1133010000"],
        ["某某市", "", "1133010000", "11330000"],  # the province by the code kept for it
    ]
    result = BodyResource().import_data(sheet(rows, CODED_HEADERS), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), statuses(result)
    office = Organization.objects.get(name="某某县委办公室党组")
    assert [office.parent.name, office.parent.parent.name, office.parent.parent.parent.name] == [
        "某某县", "某某市", "某某省纪委监委"]
    assert Organization.objects.get(name="某某县").code == "1133010001"
    assert {kind for _name, kind, _r in statuses(BodyResource().import_data(sheet(rows, CODED_HEADERS)))} == {"skip"}

    from reports.onboarding.people import PersonResource

    people = [["王晓宁", "wangxn", "wangxn@example.org", "", "1133010001", "起草人"]]
    PersonResource().import_data(sheet(people, PEOPLE_HEADERS), dry_run=False)
    assert Organization.objects.get(code="1133010001").memberships.get().user.username == "wangxn"


def test_a_code_given_twice_or_already_another_bodys_is_refused():
    Organization.objects.create(name="某某市", code="1133010000")
    rows = [["甲单位", "", "A1", "某某市"], ["乙单位", "", "A1", "某某市"], ["丙单位", "", "1133010000", "某某市"]]
    result = BodyResource().import_data(sheet(rows, CODED_HEADERS), dry_run=False)
    reasons = [reason for _name, kind, found in statuses(result) if kind == "invalid" for reason in found]
    assert reasons == ["单位代码“A1”在表中出现了不止一次。", "单位代码“A1”在表中出现了不止一次。",
                       "这个单位代码已被另一个单位使用。"]
    assert list(Organization.objects.values_list("name", flat=True)) == ["某某市"]


def test_a_code_given_up_by_an_earlier_row_may_be_taken_by_a_later_one():
    Organization.objects.create(name="某某市", code="1133010000")
    Organization.objects.create(name="甲单位", code="A1", parent=Organization.objects.get(name="某某市"))
    rows = [["甲单位", "", "A2", "某某市"], ["乙单位", "", "A1", "某某市"]]
    result = BodyResource().import_data(sheet(rows, CODED_HEADERS), dry_run=False)
    assert not result.has_validation_errors(), statuses(result)
    assert dict(Organization.objects.filter(parent__name="某某市").values_list("name", "code")) == {
        "甲单位": "A2", "乙单位": "A1"}


def test_a_body_sheet_costs_a_few_queries_a_row_whatever_its_size():
    """A province's sheet is 30,000 rows: the bodies and codes it names are loaded once, so a new
    row costs its writes and its place in the tree, and an unchanged row next to nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(count, tag):
        return [[f"{tag}省", "", f"{tag}0", ""]] + [[f"{tag}单位{n}", "", f"{tag}{n + 1}", f"{tag}省"]
                                                   for n in range(count)]

    def queries(table):
        with CaptureQueriesContext(connection) as captured:
            result = BodyResource().import_data(sheet(table, CODED_HEADERS), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()
        return len(captured.captured_queries)

    new_per_row = (queries(rows(40, "乙")) - queries(rows(20, "甲"))) / 20
    # The same two sheets again: every row is there already.
    unchanged_per_row = (queries(rows(40, "乙")) - queries(rows(20, "甲"))) / 20
    assert new_per_row <= 7 and unchanged_per_row <= 3, (new_per_row, unchanged_per_row)
    assert Organization.objects.filter(parent__name="乙省").count() == 40


def xlsx(rows, headers=HEADERS):
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


# People and their roles ---------------------------------------------------------------------------

PEOPLE_HEADERS = ["姓名", "用户名", "电子邮箱", "手机", "单位", "角色"]
PEOPLE = [
    ["王晓宁", "wangxn", "wangxn@example.org", "13800000001", "市政协党组", "起草人"],
    ["李建国", "lijg", "lijg@example.org", "", "市政协党组", "审核人"],
    ["李建国", "lijg", "lijg@example.org", "", "某某县委办公室党组", "审核人"],
]


@pytest.fixture
def province():
    BodyResource().import_data(sheet(PROVINCE), dry_run=False)


def test_people_get_their_roles_and_no_usable_password(province):
    from django.contrib.auth import get_user_model

    from reports.models import Contact, Membership
    from reports.onboarding.people import PersonResource

    result = PersonResource().import_data(sheet(PEOPLE, PEOPLE_HEADERS), dry_run=False)
    assert [kind for _name, kind, _r in statuses(result)] == ["new", "new", "new"]
    wang = get_user_model().objects.get(username="wangxn")
    assert (wang.first_name, wang.email, wang.has_usable_password()) == ("王晓宁", "wangxn@example.org", False)
    assert Contact.objects.get(user=wang).phone == "13800000001"
    assert sorted(Membership.objects.filter(user__username="lijg").values_list("organization__name", "role")) == [
        ("市政协党组", "reviewer"), ("某某县委办公室党组", "reviewer")]
    # The same sheet again changes nothing; a new e-mail updates that person only.
    again = PersonResource().import_data(sheet(PEOPLE, PEOPLE_HEADERS), dry_run=False)
    assert {kind for _name, kind, _r in statuses(again)} == {"skip"}
    changed = [row[:] for row in PEOPLE]
    changed[0][2] = "wxn@example.org"
    result = PersonResource().import_data(sheet(changed, PEOPLE_HEADERS), dry_run=False)
    assert [kind for _name, kind, _r in statuses(result)] == ["update", "skip", "skip"]
    assert get_user_model().objects.get(username="wangxn").email == "wxn@example.org"


def test_each_bad_person_row_says_why_and_nothing_is_written(province):
    from django.contrib.auth import get_user_model

    from reports.onboarding.people import PersonResource

    rows = [
        ["张三", "zhangs", "zhangs@example.org", "", "某某省", "起草人"],
        ["李四", "lis", "lis@example.org", "", "市政协党组", "主任"],
        ["赵五", "zhaow", "不是邮箱", "", "市政协党组", "起草人"],
        ["钱六", "", "", "", "市政协党组", "起草人"],
        ["孙七", "sunq", "sunq@example.org", "", "市政协党组", "督办人"],
    ]
    result = PersonResource().import_data(sheet(rows, PEOPLE_HEADERS), dry_run=False)
    reasons = [reason for _name, kind, found in statuses(result) if kind == "invalid" for reason in found]
    assert reasons == ["单位“某某省”不存在：请先导入单位表。", "角色“主任”不存在，应为起草人、审核人、督办人。",
                       "电子邮箱“不是邮箱”格式不正确。", "用户名不能为空。"]
    assert [kind for _name, kind, _r in statuses(result)][-1] == "new"
    assert not get_user_model().objects.exists()  # the good row too: one transaction


def test_the_people_sheet_exports_the_columns_it_imports(province):
    from reports.onboarding.people import PersonResource

    PersonResource().import_data(sheet(PEOPLE, PEOPLE_HEADERS), dry_run=False)
    exported = PersonResource().export()
    assert exported.headers == PEOPLE_HEADERS
    assert sorted(map(list, exported)) == sorted(PEOPLE)


# First sign-in ------------------------------------------------------------------------------------


def test_an_imported_person_sets_a_password_through_the_mailed_link(client, province, mailoutbox,
                                                                    django_capture_on_commit_callbacks):
    import re

    from reports.onboarding.people import PersonResource

    with django_capture_on_commit_callbacks(execute=True):
        PersonResource().import_data(sheet(PEOPLE[:1], PEOPLE_HEADERS), dry_run=True)
    assert mailoutbox == []  # a preview sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        PersonResource().import_data(sheet(PEOPLE[:1], PEOPLE_HEADERS), dry_run=False)
    [mail] = mailoutbox
    assert mail.to == ["wangxn@example.org"] and "设置密码" in mail.subject and "wangxn" in mail.body
    link = re.search(r"https?://\S+/password/\S+/\S+/", mail.body)[0]
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert "设置密码" in page.content.decode() and "用户名：wangxn" in page.content.decode()
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else "/" + path
    # Django's validators, in Chinese: too short, too like the user name, too common.
    refused = client.post(form_url, {"new_password1": "wangxn123", "new_password2": "wangxn123"})
    text = refused.content.decode()
    assert "密码跟 用户名 太相似了。" in text and "密码太短，至少要有 10 个字符。" in text
    common = client.post(form_url, {"new_password1": "password123", "new_password2": "password123"}).content.decode()
    assert "这个密码太常见了。" in common
    done = client.post(form_url, {"new_password1": "季报-试用-2026-春", "new_password2": "季报-试用-2026-春"}, follow=True)
    assert "密码已设置" in done.content.decode()
    from reports.models import Notice

    assert Notice.objects.get(user__username="wangxn").read_at is None
    signed_in = client.post(reverse("login"), {"username": "wangxn", "password": "季报-试用-2026-春"})
    assert signed_in.status_code == 302 and signed_in.url == reverse("reports:list")
    # Signed in, the link's notice has served: the first page does not show it as unread.
    assert Notice.objects.get(user__username="wangxn").read_at is not None
    assert "未读" not in client.get(reverse("reports:notices")).content.decode()
    # The link is used: it says so, in Chinese.
    client.logout()
    again = client.get("/" + path, follow=True)
    assert "这个链接已经用过或已过期" in again.content.decode()


def test_the_sign_in_link_can_be_asked_for_by_e_mail_without_a_password_yet(client, province, mailoutbox,
                                                                            django_capture_on_commit_callbacks):
    from reports.onboarding.people import PersonResource

    PersonResource().import_data(sheet(PEOPLE[:1], PEOPLE_HEADERS), dry_run=False)
    mailoutbox.clear()
    login_page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in login_page and "首次登录或忘记密码" in login_page
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("password_reset"), {"email": "WANGXN@example.org"}, follow=True)
    assert "请查收电子邮件" in page.content.decode()
    assert [mail.to for mail in mailoutbox] == [["wangxn@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert len(mailoutbox) == 1  # an unknown address: the same page, no mail


@pytest.mark.parametrize("model, headers", [("organization", ["单位名称", "简称", "单位代码", "上级单位"]),
                                           ("membership", PEOPLE_HEADERS),
                                           ("duedate", ["年度", "期间", "报送截止日期"])])
def test_each_sheet_has_a_template_to_download_from_its_import_page(admin_client, model, headers):
    page = admin_client.get(reverse(f"admin:reports_{model}_import")).content.decode()
    url = reverse(f"admin:reports_{model}_sheet_template")
    assert f'href="{url}"' in page and "下载模板" in page
    response = admin_client.get(url)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in book.active[1]] == headers and book.active.max_row == 1


def test_the_template_is_for_administrators_only(client, drafter):
    client.force_login(drafter)
    response = client.get(reverse("admin:reports_organization_sheet_template"))
    assert response.status_code == 302 and "/admin/login/" in response.url


# Due dates ----------------------------------------------------------------------------------------


def test_due_dates_per_period_from_a_workbook():
    from datetime import date, datetime

    from reports.models import DueDate
    from reports.onboarding.due_dates import DueDateResource

    rows = [[2027, "第一季度", datetime(2027, 4, 10)], [2027, "二季度", "2027-07-10"], [2027, "年度", "2028年1月31日"]]
    dataset = tablib.Dataset(*rows, headers=["年度", "期间", "报送截止日期"])
    result = DueDateResource().import_data(dataset, dry_run=False)
    assert [kind for _name, kind, _r in statuses(result)] == ["new", "new", "new"]
    assert sorted(DueDate.objects.values_list("year", "quarter", "due_date"), key=str) == sorted(
        [(2027, 1, date(2027, 4, 10)), (2027, 2, date(2027, 7, 10)), (2027, None, date(2028, 1, 31))], key=str)
    again = DueDateResource().import_data(tablib.Dataset(*rows, headers=["年度", "期间", "报送截止日期"]), dry_run=False)
    assert {kind for _name, kind, _r in statuses(again)} == {"skip"}
    bad = tablib.Dataset([2027, "第五季度", "2027-10-10"], [2027, "第三季度", "十月十日"],
                         headers=["年度", "期间", "报送截止日期"])
    reasons = [reason for _n, kind, found in statuses(DueDateResource().import_data(bad, dry_run=False))
               for reason in found]
    assert reasons == ["期间“第五季度”应为第一季度至第四季度，或“年度”。", "报送截止日期“十月十日”不是日期，应写作 2023-04-10。"]
    assert DueDate.objects.count() == 3


def test_the_admin_lists_of_a_large_province_name_no_body_but_their_own_rows(admin_client):
    """A filter of every body would print a province into each page: the lists filter by level
    and role, and find a body through the search box."""
    root = Organization.objects.create(name="某某省")
    Organization.objects.bulk_create([Organization(name=f"第{n}单位", parent=root) for n in range(250)])
    def sidebar(html):
        return html[html.index('id="changelist-filter"'):] if 'id="changelist-filter"' in html else ""

    page = admin_client.get(reverse("admin:reports_organization_changelist")).content.decode()
    assert page.count('<th class="field-name">') == 100  # a page of rows
    assert sidebar(page) and "第1单位" not in sidebar(page) and "某某省" not in sidebar(page)
    found = admin_client.get(reverse("admin:reports_organization_changelist") + "?q=第17单位").content.decode()
    assert found.count('<th class="field-name">') == 1 and "第17单位" in found
    memberships = admin_client.get(reverse("admin:reports_membership_changelist")).content.decode()
    assert "某某省" not in sidebar(memberships)
