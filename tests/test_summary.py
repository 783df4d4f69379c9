"""统计数汇总: sums across the overseen bodies, on the page and in the .xlsx."""

import re
from collections import defaultdict
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.models import Measure, MeasureValue, Membership, Organization, Report
from reports.tracking import summary
from reports.tracking.scope import overseen_ids
from reports.views.tracking_pages import XLSX_CONTENT_TYPE


@pytest.fixture
def measures(db):
    return {
        "study": Measure.objects.create(name="理论学习中心组学习会议", unit="次"),
        "talks": Measure.objects.create(name="廉政谈话", unit="人次"),
        "hours": Measure.objects.create(name="培训学时", unit="小时"),
    }


@pytest.fixture
def figures(tree, report_factory, measures):
    """2023 reports below 市纪委监委 in every status, and one of another tree. 签收ed: 市政协党组's Q1
    and Q2; not yet: 市人大常委会党组's Q1 (approved), 市政协机关党组's Q1 and 市政协党组's Q3 (submitted)."""

    def report(body, quarter, status, **values):
        made = report_factory(tree[body], quarter=quarter, status=status)
        for name, value in values.items():
            MeasureValue.objects.create(report=made, measure=measures[name], value=value)
        return made

    return [
        report("cppcc", 1, "accepted", study=3, talks=26, hours=Decimal("2.5")),
        report("congress", 1, "approved", study=2, talks=10, hours=None),  # not filled in
        report("office", 1, "submitted", study=5, talks=4),
        report("cppcc", 2, "accepted", study=4, talks=12, hours=Decimal("1.25")),
        report("congress", 2, "draft", study=100, talks=100),
        report("office", 2, "returned", study=100),
        report("cppcc", 3, "submitted", study=1),
        report("county_body", 1, "accepted", study=1000, talks=1000, hours=1000),  # another tree
        report_factory(tree["cppcc"], year=2022, quarter=4, status="accepted"),
    ]


def by_name(sums):
    return {entry.name: entry for entry in sums}


def test_sums_count_only_accepted_reports_by_default(overseer, figures):
    """签收ed by the supervising body: approved by the body itself is not enough."""
    sums = by_name(summary.measure_sums(overseer, 2023))
    assert list(sums) == sorted(sums)
    assert sums["理论学习中心组学习会议"].values == [3, 4, None, None]
    assert sums["理论学习中心组学习会议"].total == 7
    assert sums["廉政谈话"].values == [26, 12, None, None]
    assert sums["培训学时"].values == [Decimal("2.5"), Decimal("1.25"), None, None]
    assert sums["培训学时"].total == Decimal("3.75")
    assert all(entry.unit for entry in sums.values())
    assert not any(entry.includes_unaccepted for entry in sums.values())


def test_sums_may_include_unaccepted_reports_marked_but_never_drafts_or_returned_ones(overseer, figures):
    sums = by_name(summary.measure_sums(overseer, 2023, include_unaccepted=True))
    study = sums["理论学习中心组学习会议"]
    assert study.values == [10, 4, 1, None]  # not the 100 of the draft or returned
    assert study.total == 15
    # Q1 has 人大's approved and 机关's submitted figures, Q3 市政协党组's submitted one; Q2 is all 签收ed.
    assert [marked for _value, marked in study.cells] == [True, False, True, False]
    assert sums["廉政谈话"].values == [40, 12, None, None]
    # 人大's approved report left 培训学时 empty: the Q1 figure is 签收ed figures only.
    assert sums["培训学时"].values[0] == Decimal("2.5") and not sums["培训学时"].includes_unaccepted
    counts = summary.report_counts(overseer, 2023, include_unaccepted=True)
    assert [(count.counted, count.unaccepted) for count in counts.values()] == [(3, 2), (1, 0), (1, 1), (0, 0)]
    assert [count.counted for count in summary.report_counts(overseer, 2023).values()] == [1, 1, 0, 0]


def test_another_trees_bodies_never_count(tree, make_user, figures):
    county_overseer = make_user(organization=tree["county"], role=Membership.Role.OVERSEER)
    sums = by_name(summary.measure_sums(county_overseer, 2023))
    assert sums["理论学习中心组学习会议"].values == [1000, None, None, None]
    admin = make_user(is_superuser=True)
    assert by_name(summary.measure_sums(admin, 2023))["理论学习中心组学习会议"].values == [1003, 4, None, None]


def test_sums_take_one_aggregate_query(overseer, figures, django_assert_num_queries):
    ids = overseen_ids(overseer)
    with django_assert_num_queries(1) as queries:
        summary.measure_sums(overseer, 2023, body_ids=ids)
    sql = queries.captured_queries[0]["sql"].upper()
    assert "SUM(" in sql and "GROUP BY" in sql


def test_rows_by_body_give_each_bodys_values(overseer, figures):
    rows = {(row.body, row.name): row for row in summary.measure_rows_by_body(overseer, 2023)}
    assert rows[("市政协党组", "理论学习中心组学习会议")].values == [3, 4, None, None]
    assert {body for body, _name in rows} == {"市政协党组"}  # the only body with 签收ed reports
    rows = {(row.body, row.name): row for row in summary.measure_rows_by_body(overseer, 2023, include_unaccepted=True)}
    assert rows[("市人大常委会党组", "廉政谈话")].values == [10, None, None, None]
    assert rows[("市人大常委会党组", "廉政谈话")].includes_unaccepted
    assert not rows[("市人大常委会党组", "培训学时")].includes_unaccepted  # left empty: no figure
    assert rows[("市政协党组", "理论学习中心组学习会议")].unaccepted == {3}
    assert "县政协党组" not in {body for body, _name in rows}  # another tree


def test_a_bodys_own_measure_is_kept_apart_and_named_with_its_body(tree, overseer, report_factory):
    common = Measure.objects.create(name="廉政谈话", unit="人次")
    own = Measure.objects.create(name="廉政谈话", unit="人次", organization=tree["cppcc"])
    MeasureValue.objects.create(report=report_factory(tree["cppcc"], status="accepted"), measure=own, value=5)
    MeasureValue.objects.create(report=report_factory(tree["congress"], status="accepted"), measure=common, value=7)
    labels = sorted((entry.label, entry.values[0]) for entry in summary.measure_sums(overseer, 2023))
    assert labels == [("廉政谈话", 7), ("廉政谈话（市政协党组）", 5)]


# ---- The workbook -------------------------------------------------------------------------


def sums_from_the_database(year, body_names, statuses=("accepted",)):
    """The expected sums, worked out here row by row rather than with the code under test: by
    default the reports the body above has 签收ed."""
    totals = defaultdict(lambda: defaultdict(Decimal))
    for value in MeasureValue.objects.filter(
        report__year=year, report__status__in=statuses, report__organization__name__in=body_names, value__isnull=False
    ).select_related("measure", "report"):
        totals[value.measure.name][value.report.quarter] += value.value
    return totals


def test_the_xlsx_opens_and_its_sums_match_the_database(client, overseer, figures):
    client.force_login(overseer)
    response = client.get(reverse("tracking:summary_xlsx"), {"year": 2023})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('统计数汇总-2023.xlsx')}"
    assert response.streaming  # sent from a file in blocks, not built in memory as one string

    workbook = load_workbook(BytesIO(response.getvalue()))
    assert workbook.sheetnames == ["汇总", "分单位明细"]
    sheet = workbook["汇总"]
    assert "2023" in sheet["A1"].value and "仅统计已签收的报告" in sheet["A1"].value
    header = [cell.value for cell in sheet[2]]
    assert header == ["统计指标", "单位", "第一季度", "第二季度", "第三季度", "第四季度", "全年累计"]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["A"].width >= 20

    expected = sums_from_the_database(2023, ["市政协党组", "市人大常委会党组", "市政协机关党组"])
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == set(expected)
    for name, quarters in expected.items():
        row = rows[name]
        for quarter in (1, 2, 3, 4):
            assert row[1 + quarter] == (quarters[quarter] if quarter in quarters else None), (name, quarter)
        assert row[6] == sum(quarters.values())
    # Numbers, not text: whole ones as int, the rest as float.
    assert rows["理论学习中心组学习会议"][2:] == (3, 4, None, None, 7) and type(rows["理论学习中心组学习会议"][2]) is int
    assert rows["培训学时"][2:] == (2.5, 1.25, None, None, 3.75)
    assert rows["廉政谈话"][1] == "人次"

    detail = workbook["分单位明细"]
    assert [cell.value for cell in detail[2]][:3] == ["填报单位", "统计指标", "单位"]
    detail_rows = list(detail.iter_rows(min_row=3, values_only=True))
    assert ("市政协党组", "理论学习中心组学习会议", "次", 3, 4, None, None, 7) in detail_rows
    assert all(row[0] == "市政协党组" for row in detail_rows)
    assert detail.max_column == 8  # no column for unaccepted figures: there are none


def test_the_xlsx_with_unaccepted_reports_says_so_and_marks_their_rows(client, overseer, figures):
    client.force_login(overseer)
    response = client.get(reverse("tracking:summary_xlsx"), {"year": 2023, "all": "1"})
    workbook = load_workbook(BytesIO(response.getvalue()))
    sheet = workbook["汇总"]
    assert "未签收" in sheet["A1"].value and "含未签收报告 3 份" in sheet["A1"].value
    assert [cell.value for cell in sheet[2]][-1] == "含未签收报告"
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["理论学习中心组学习会议"][2:] == (10, 4, 1, None, 15, "是")
    assert rows["培训学时"][2:] == (2.5, 1.25, None, None, 3.75, None)  # 签收ed figures only
    detail = {row[:2]: row for row in workbook["分单位明细"].iter_rows(min_row=3, values_only=True)}
    assert "含未签收报告 3 份" in workbook["分单位明细"]["A1"].value
    assert detail[("市人大常委会党组", "廉政谈话")][3:] == (10, None, None, None, 10, "是")
    assert detail[("市政协党组", "廉政谈话")][3:] == (26, 12, None, None, 38, None)


def test_an_empty_year_gives_a_workbook_with_headers_only(client, overseer):
    client.force_login(overseer)
    workbook = load_workbook(BytesIO(client.get(reverse("tracking:summary_xlsx"), {"year": 2030}).getvalue()))
    assert workbook["汇总"].max_row == 2


# ---- The page -----------------------------------------------------------------------------


def test_the_page_shows_sums_scope_chart_data_and_download_link(client, overseer, figures):
    client.force_login(overseer)
    response = client.get(reverse("tracking:summary"), {"year": 2023})
    assert response.status_code == 200
    html = response.content.decode()
    assert "仅统计已签收的报告" in html and "含未签收报告" not in html and "unaccepted-mark" not in html
    assert 'name="all"' in html and " checked" not in html.split('name="all"')[1][:80]
    assert "包括未签收的报告" in html
    assert f'href="{reverse("tracking:summary_xlsx")}?year=2023"' in html
    assert html.count("<canvas") == 3
    chart = response.context["chart"]
    assert chart["labels"] == ["一季度", "二季度", "三季度", "四季度"]
    series = {entry["label"]: entry["values"] for entry in chart["series"]}
    assert series["理论学习中心组学习会议"] == [3, 4, None, None]
    assert series["培训学时"] == [2.5, 1.25, None, None]
    assert 'id="measure-trend-data" type="application/json"' in html
    # No inline script: every <script> loads a file or carries JSON data.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "vendor/chartjs/chart.umd.js" in html and "js/charts.js" in html
    assert "1000" not in html  # another tree's figures


def test_the_page_can_count_unaccepted_reports_and_marks_them(client, overseer, figures, measures):
    client.force_login(overseer)
    response = client.get(reverse("tracking:summary"), {"year": 2023, "all": "1"})
    html = response.content.decode()
    assert "统计已签收和未签收（已审定、审核中）的报告" in html
    assert " checked" in html.split('name="all"')[1][:80]
    note = html.split('data-testid="unaccepted-note"')[1].split("</p>")[0]
    assert "含未签收报告 3 份" in note
    assert f'href="{reverse("tracking:summary_xlsx")}?year=2023&amp;all=1"' in html
    assert by_name(response.context["sums"])["理论学习中心组学习会议"].values == [10, 4, 1, None]
    row = html.split(f'data-measure="{measures["study"].id}"')[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num[^"]*">.*?</td>', row)
    marked = ['unaccepted-mark' in cell for cell in cells]
    assert marked == [True, False, True, False, True]  # Q1, Q3 and the year's total
    assert "未签收 2 份" in html.split("<tfoot>")[1]  # Q1's count of reports
    # The measure's drill-down keeps the switch and marks each body's unaccepted figures.
    assert f'?year=2023&amp;all=1&amp;measure={measures["study"].id}#by-body' in html


def test_summary_queries_do_not_grow_with_the_number_of_bodies(client, db, make_user, report_factory):
    measure = Measure.objects.create(name="学习会议", unit="次")

    def overseer_of(count, prefix):
        root = Organization.objects.create(name=f"{prefix}督办单位")
        for index in range(count):
            body = Organization.objects.create(name=f"{prefix}单位{index:02d}", parent=root)
            own = Measure.objects.create(name=f"{prefix}专项{index}", unit="项", organization=body)
            for quarter, status in ((1, "accepted"), (2, "approved"), (3, "submitted")):
                report = report_factory(body, quarter=quarter, status=status)
                MeasureValue.objects.create(report=report, measure=measure, value=index)
                MeasureValue.objects.create(report=report, measure=own, value=quarter)
        return make_user(organization=root, role=Membership.Role.OVERSEER)

    few, many = overseer_of(3, "甲"), overseer_of(30, "乙")

    def queries(user, url, params):
        client.force_login(user)
        client.get(reverse("tracking:board"))  # the session's first save is not counted
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"year": 2023, **params}).status_code == 200
        return len(captured)

    for name in ("tracking:summary", "tracking:summary_xlsx"):
        for params in ({}, {"all": "1"}):  # 签收ed reports only, and all of them
            assert queries(few, reverse(name), params) == queries(many, reverse(name), params), (name, params)
    assert Report.objects.filter(organization__parent__name="乙督办单位").count() == 90


@pytest.mark.parametrize(("year", "everything"), [(2022, False), (2022, True), (2023, False), (2023, True)])
def test_the_demo_datas_xlsx_sums_equal_the_database(client, demo, year, everything):
    """The demo: 市政协党组's 2022 Q1 and Q2 and 市政府党组's 2023 Q1 are 签收ed; 市政协党组's 2022 Q3
    and Q4 and 市人大常委会党组's 2023 Q1 are approved, waiting for 签收."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="overseer"))
    response = client.get(reverse("tracking:summary_xlsx"), {"year": year, **({"all": "1"} if everything else {})})
    sheet = load_workbook(BytesIO(response.getvalue()))["汇总"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    bodies = ["市政协党组", "市人大常委会党组", "市政府党组", "市法院党组"]
    expected = sums_from_the_database(year, bodies, ("accepted", "approved", "submitted") if everything else ("accepted",))
    assert expected and set(rows) == set(expected)
    for name, quarters in expected.items():
        assert [rows[name][1 + q] for q in (1, 2, 3, 4)] == [quarters.get(q) for q in (1, 2, 3, 4)], name
        assert rows[name][6] == sum(quarters.values())
    if everything:
        assert f"含未签收报告 {2 if year == 2022 else 1} 份" in sheet["A1"].value
    else:
        assert "仅统计已签收的报告" in sheet["A1"].value
    if year == 2023:
        # 政府 (签收ed), and 人大 (approved) when asked; the 政协 report is still a draft.
        assert rows["廉政谈话"][2] == (15 + 32 if everything else 32)


def test_the_page_opens_on_the_last_year_that_has_figures(client, overseer, figures):
    """Asked for no year, the summary shows the last year with counted reports (2023 here,
    long after), not an empty current year; a year asked for is shown, empty or not."""
    client.force_login(overseer)
    response = client.get(reverse("tracking:summary"))
    assert response.context["year"] == 2023 and response.context["sums"]
    assert client.get(reverse("tracking:summary"), {"year": 2025}).context["year"] == 2025
    Report.objects.update(status="draft")  # nothing counted anywhere: the current year
    assert client.get(reverse("tracking:summary")).context["year"] == timezone.localdate().year


def test_a_measure_opens_on_each_bodys_values(client, overseer, figures, measures, monkeypatch):
    """The per-body figures are on the page, not only in the Excel file: a measure's row opens
    its bodies' values per quarter, a page of bodies at a time; another tree's never show."""
    client.force_login(overseer)
    page = client.get(reverse("tracking:summary"), {"year": 2023})
    link = f'?year=2023&amp;measure={measures["study"].id}#by-body'
    assert link in page.content.decode()
    drill = client.get(reverse("tracking:summary"), {"year": 2023, "measure": measures["study"].id}).context["drill"]
    assert [(row.body, row.values, row.total) for row in drill["rows"]] == [
        ("市政协党组", [3, 4, None, None], 7),  # 签收ed Q1 and Q2; Q3 only submitted
    ]
    response = client.get(reverse("tracking:summary"), {"year": 2023, "measure": measures["study"].id, "all": "1"})
    drill = response.context["drill"]
    assert [(row.body, row.values, row.total, row.unaccepted) for row in drill["rows"]] == [  # by name
        ("市人大常委会党组", [2, None, None, None], 2, {1}),  # approved Q1; its Q2 is a draft
        ("市政协党组", [3, 4, 1, None], 8, {3}),  # its Q3 is submitted
        ("市政协机关党组", [5, None, None, None], 5, {1}),  # submitted; its Q2 was returned
    ]
    by_body = response.content.decode().split('data-testid="by-body"')[1]
    assert by_body.count('class="unaccepted-mark"') == 6  # a figure and the total in each row
    monkeypatch.setattr("reports.views.tracking_pages.BY_BODY_PAGE_SIZE", 1)
    second = client.get(reverse("tracking:summary"), {"year": 2023, "measure": measures["study"].id, "page": 2, "all": "1"})
    assert [row.body for row in second.context["drill"]["rows"]] == ["市政协党组"]
    assert client.get(reverse("tracking:summary"), {"year": 2023, "measure": "x"}).context["drill"] is None
