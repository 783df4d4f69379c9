"""The 问题整改台账 as an .xlsx: the page's entries with the page's filters, in its order and its
colours, every text a text (never a formula), for the page's readers only."""

import zipfile
from datetime import date, timedelta
from io import BytesIO
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.models import Membership, Problem, ProblemMention
from reports.tracking import ledger
from reports.tracking.ledger_sheet import FILLS, ledger_workbook
from reports.views.tracking_pages import XLSX_CONTENT_TYPE

HEADER = ["序号", "单位", "问题", "发现于", "整改措施", "责任领导", "责任部门", "整改时限", "状态", "连续提到（季度）",
          "整改情况", "最新进展", "提请销号人"]


@pytest.fixture
def entries(tree, drafter, report_factory):
    """Entries of two bodies below 市纪委监委 in each colour, and one of another tree."""
    today = timezone.localdate()

    def entry(body, text, *, days=None, status="open", **fields):
        return Problem.objects.create(organization=tree[body], text=text, found_year=2023, found_quarter=1,
                                      status=status, deadline=today + timedelta(days=days) if days is not None else None,
                                      **fields)

    made = {
        "overdue": entry("cppcc", "逾期的问题。", days=-3, measures="建立台账，逐项整改。", leader="张三", department="办公室"),
        "soon": entry("cppcc", "即将到期的问题。", days=5, status="in_progress"),
        "closed": entry("congress", "已整改的问题。", days=-40, status="closed", outcome="已建立制度。"),
        "plain": entry("congress", "=HYPERLINK(\"http://example.org\",\"点此\")", days=90),
        "undated": entry("cppcc", "+没有时限的问题", outcome="-已部署", leader="@李四"),
        "overdue_congress": entry("congress", "人大的逾期问题。", days=-1, status="reopened",
                                  closing_proposed_by=drafter, outcome="已整改到位。"),
        "other_tree": entry("county_body", "县里的问题。", days=-10),
    }
    for quarter in (1, 2):  # named two quarters running
        ProblemMention.objects.create(problem=made["overdue"], report=report_factory(tree["cppcc"], quarter=quarter),
                                      text="逾期的问题。")
    return made


def download(client, user, query=None):
    client.force_login(user)
    response = client.get(reverse("tracking:ledger_xlsx"), query or {})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return response


def sheet_of(response):
    return load_workbook(BytesIO(response.content))["问题整改台账"]


def data_rows(sheet):
    """The table's rows (under the header, up to the blank row before the legend)."""
    rows = []
    for row in sheet.iter_rows(min_row=3):
        if row[0].value is None:
            break
        rows.append(row)
    return rows


def page_texts(client, query=None):
    response = client.get(reverse("tracking:ledger"), query or {})
    assert response.status_code == 200
    return [entry.problem.text for entry in response.context["rows"]]


def test_the_download_is_the_page_title_header_and_rows_in_its_order(client, overseer, entries):
    response = download(client, overseer)
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote(f'问题整改台账-{today.isoformat()}.xlsx')}"
    )
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["问题整改台账"]
    sheet = workbook["问题整改台账"]
    assert sheet["A1"].value.startswith("问题整改台账") and f"{today.year}年" in sheet["A1"].value
    assert [cell.value for cell in sheet[2]] == HEADER
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"

    rows = data_rows(sheet)
    assert [row[2].value for row in rows] == page_texts(client)
    assert [row[0].value for row in rows] == list(range(1, 7))
    assert "县里的问题。" not in [row[2].value for row in rows]  # another tree's
    by_text = {row[2].value: [cell.value for cell in row] for row in rows}
    overdue = by_text["逾期的问题。"]
    assert overdue[1] == "市政协党组" and overdue[3] == "2023年第一季度"
    assert overdue[4:7] == ["建立台账，逐项整改。", "张三", "办公室"]
    assert overdue[8] == "未整改" and overdue[9] == 2
    assert by_text["人大的逾期问题。"][10:] == ["已整改到位。", None, "drafter"]
    assert by_text["+没有时限的问题"][7] == "未定"


def test_deadlines_are_real_dates(client, overseer, entries):
    rows = {row[2].value: row for row in data_rows(sheet_of(download(client, overseer)))}
    deadline = rows["逾期的问题。"][7]
    assert deadline.value.date() == entries["overdue"].deadline
    assert deadline.is_date and deadline.number_format == "yyyy-mm-dd"


@pytest.mark.parametrize("query, expected", [
    ({"overdue": "on"}, ["人大的逾期问题。", "逾期的问题。"]),
    ({"status": "closed"}, ["已整改的问题。"]),
    ({"body": "cppcc"}, ["逾期的问题。", "即将到期的问题。", "+没有时限的问题"]),
    ({"year": "2022"}, []),
    ({"status": "no-such-status"}, None),  # ignored, as on the page: every entry
])
def test_the_download_has_the_pages_filters(client, overseer, entries, tree, query, expected):
    if "body" in query:
        query = {"body": tree[query["body"]].pk}
    client.force_login(overseer)
    shown = page_texts(client, query)
    if expected is not None:
        assert sorted(shown) == sorted(expected)
    else:
        assert len(shown) == 6
    sheet = sheet_of(download(client, overseer, query))
    assert [row[2].value for row in data_rows(sheet)] == shown


def test_the_filters_are_named_under_the_table(client, overseer, entries, tree):
    sheet = sheet_of(download(client, overseer, {"body": tree["cppcc"].pk, "overdue": "on"}))
    texts = [cell.value for row in sheet.iter_rows(min_row=3) for cell in row if isinstance(cell.value, str)]
    assert any(text.startswith("筛选条件") and "市政协党组" in text and "只看逾期" in text for text in texts)
    unfiltered = sheet_of(download(client, overseer))
    assert not any(isinstance(cell.value, str) and cell.value.startswith("筛选条件")
                   for row in unfiltered.iter_rows() for cell in row)


def test_rows_are_coloured_as_on_the_page_with_a_legend(client, overseer, entries):
    sheet = sheet_of(download(client, overseer))
    rows = {row[2].value: row for row in data_rows(sheet)}

    def colour(row):
        return {cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None for cell in row}

    red, blue, green = (FILLS[name].fgColor.rgb for name in (ledger.OVERDUE, ledger.SOON, ledger.CLOSED_COLOUR))
    assert len({red, blue, green}) == 3
    assert colour(rows["逾期的问题。"]) == {red}
    assert colour(rows["人大的逾期问题。"]) == {red}
    assert colour(rows["即将到期的问题。"]) == {blue}
    assert colour(rows["已整改的问题。"]) == {green}
    assert colour(rows["+没有时限的问题"]) == {None}

    legend_row = 3 + len(rows) + 1
    legend = {cell.value: cell.fill.fgColor.rgb for cell in sheet[legend_row] if cell.value}
    assert legend == {"逾期 2 项": red, "15 天内到期 1 项": blue, "已整改 1 项": green}


def test_a_text_that_starts_like_a_formula_stays_text(client, overseer, entries):
    response = download(client, overseer)
    rows = {row[2].value: row for row in data_rows(sheet_of(response))}
    formula = '=HYPERLINK("http://example.org","点此")'
    assert rows[formula][2].data_type == "s"
    plus = rows["+没有时限的问题"]
    assert [plus[10].value, plus[5].value] == ["-已部署", "@李四"] and {plus[10].data_type, plus[5].data_type} == {"s"}
    with zipfile.ZipFile(BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere in the sheet


def test_long_texts_wrap_and_the_sheet_prints_landscape_a4_one_page_wide(client, overseer, entries):
    sheet = sheet_of(download(client, overseer))
    row = data_rows(sheet)[0]
    assert row[2].alignment.wrap_text and row[10].alignment.wrap_text  # 问题, 整改情况
    assert sheet.column_dimensions["C"].width >= 30
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$2:$2"


def test_a_drafter_downloads_their_own_bodys_entries_only(client, tree, drafter, entries):
    sheet = sheet_of(download(client, drafter))
    texts = [row[2].value for row in data_rows(sheet)]
    assert sorted(texts) == sorted(["逾期的问题。", "即将到期的问题。", "+没有时限的问题"])
    assert {row[1].value for row in data_rows(sheet)} == {"市政协党组"}
    # Another body asked for by id: not one of the form's choices, so ignored (their own entries).
    other = sheet_of(download(client, drafter, {"body": tree["congress"].pk}))
    assert sorted(row[2].value for row in data_rows(other)) == sorted(texts)


def test_another_trees_overseer_sees_none_of_these_entries(client, tree, make_user, entries):
    county = make_user(organization=tree["county"], role=Membership.Role.OVERSEER)
    response = download(client, county, {"body": tree["cppcc"].pk})
    assert [row[2].value for row in data_rows(sheet_of(response))] == ["县里的问题。"]
    everything = " ".join(str(value) for row in sheet_of(response).iter_rows(values_only=True)
                          for value in row if value is not None)
    assert "县政协党组" in everything  # (the check reads the cells' text)
    assert "市政协党组" not in everything and "逾期的问题。" not in everything


def test_a_user_without_a_body_is_refused(client, make_user, entries):
    client.force_login(make_user())
    assert client.get(reverse("tracking:ledger_xlsx")).status_code == 403


def test_the_page_links_to_the_download_with_its_query(client, overseer, entries, tree):
    client.force_login(overseer)
    html = client.get(reverse("tracking:ledger")).content.decode()
    assert f'href="{reverse("tracking:ledger_xlsx")}"' in html and "下载 Excel" in html
    html = client.get(reverse("tracking:ledger"), {"status": "open", "overdue": "on"}).content.decode()
    assert f'href="{reverse("tracking:ledger_xlsx")}?status=open&amp;overdue=on"' in html


def _download_queries(client, user):
    client.force_login(user)
    client.get(reverse("tracking:ledger"))  # the session's first save is not counted
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("tracking:ledger_xlsx")).status_code == 200
    return len(queries)


def test_the_download_costs_the_same_however_many_entries(client, tree, overseer, drafter, report_factory):
    for n in range(2):
        Problem.objects.create(organization=tree["cppcc"], text=f"问题{n}", found_year=2023, found_quarter=1)
    few = _download_queries(client, overseer)
    report = report_factory(tree["congress"], quarter=2)
    for n in range(2, 14):
        problem = Problem.objects.create(organization=tree["congress"] if n % 2 else tree["cppcc"], text=f"问题{n}",
                                         found_year=2023, found_quarter=2, closing_proposed_by=drafter)
        ProblemMention.objects.create(problem=problem, report=report, text=problem.text)
    many = _download_queries(client, overseer)
    assert many == few
    assert len(data_rows(sheet_of(client.get(reverse("tracking:ledger_xlsx"))))) == 14


def test_the_workbook_of_no_entries_has_its_header_and_a_legend_of_zeros(db):
    sheet = ledger_workbook([], today=date(2024, 5, 1)).active
    assert [cell.value for cell in sheet[2]] == HEADER
    assert sheet["A1"].value == "问题整改台账（截至2024年5月1日）"
    assert [cell.value for cell in sheet[4] if cell.value] == ["逾期 0 项", "15 天内到期 0 项", "已整改 0 项"]


def test_the_latest_progress_a_report_gave_is_on_the_page_and_in_the_sheet(client, overseer, entries, report_factory, tree):
    from reports.models import ProblemProgress

    for quarter, text in ((3, "制定整改方案。"), (4, "召开专题会议，整改过半。")):
        ProblemProgress.objects.create(problem=entries["soon"], report=report_factory(tree["cppcc"], quarter=quarter),
                                       text=text)
    response = download(client, overseer)
    row = next(row for row in data_rows(sheet_of(response)) if row[2].value == "即将到期的问题。")
    assert row[11].value == "2023年第四季度：召开专题会议，整改过半。"
    page = client.get(reverse("tracking:ledger")).content.decode()
    assert "2023年第四季度进展：召开专题会议，整改过半。" in page and "制定整改方案" not in page
