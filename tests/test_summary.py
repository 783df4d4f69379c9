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
from reports.tracking import summary, tallies
from reports.tracking.scope import drill_level, overseen_ids
from reports.views.tracking_pages import XLSX_CONTENT_TYPE
from tests.fixtures import run_commit_callbacks


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

    made = [
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
    run_commit_callbacks()  # as committed: the counts kept per subtree follow (tracking.tallies)
    return made


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
    nodes = drill_level(overseer, None).tally_nodes()
    counts = summary.report_counts(nodes, 2023, include_unaccepted=True)
    assert [(count.counted, count.unaccepted) for count in counts.values()] == [(3, 2), (1, 0), (1, 1), (0, 0)]
    assert [count.counted for count in summary.report_counts(nodes, 2023).values()] == [1, 1, 0, 0]


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


def test_a_year_with_no_accepted_report_yet_points_to_the_unaccepted_ones(client, tree, overseer, report_factory,
                                                                         measures):
    """Right after a quarter's approvals nothing is 签收ed yet: the empty page says why, and links
    to the sums that include the reports awaiting 签收."""
    made = report_factory(tree["cppcc"], year=2023, quarter=4, status="approved")
    MeasureValue.objects.create(report=made, measure=measures["study"], value=3)
    run_commit_callbacks()
    client.force_login(overseer)
    html = client.get(reverse("tracking:summary"), {"year": 2023}).content.decode()
    empty = html.split('data-testid="empty-state"')[1].split("</div>")[0]
    assert "2023年还没有可以统计的报告。" in empty and "这里只计上级已签收的报告。" in empty
    link = re.search(r'href="([^"]+)" data-testid="include-unaccepted-link"', empty)[1].replace("&amp;", "&")
    followed = client.get(link)
    assert by_name(followed.context["sums"])["理论学习中心组学习会议"].values == [None, None, None, 3]
    assert 'data-testid="include-unaccepted-link"' not in followed.content.decode()


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
    tallies.recount()  # an update bypasses what keeps the counts, as `manage.py recount_board` says
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


# ---- The drill-down by the tree (?group=) -------------------------------------------------


def test_the_summary_drills_down_the_tree_with_a_breadcrumb(client, tree, overseer, figures, measures):
    """At the overseer's level, a row per body below it: 市政协党组 with the sum over its subtree (its
    own figures and 市政协机关党组's), linking one level down; 市人大常委会党组, a body with nobody
    below, with its own. One level down, the breadcrumb, the group's sums only, and (its bodies
    having nobody below them) the per-body table."""
    client.force_login(overseer)
    study = measures["study"]
    response = client.get(reverse("tracking:summary"), {"year": 2023, "all": "1"})
    assert response.context["group"] is None and response.context["trail"] == []
    assert response.context["chosen"] == response.context["sums"][0]  # the table's first measure
    rows = client.get(reverse("tracking:summary"), {"year": 2023, "all": "1", "measure": study.id}).context["by_child"]
    assert [(row.organization.name, row.has_below, row.values, row.total) for row in rows] == [
        ("市政协党组", True, [8, 4, 1, None], 13),  # 3 + 机关's 5 in Q1
        ("市人大常委会党组", False, [2, None, None, None], 2),
    ]
    assert rows[0].bodies == 2 and rows[0].unaccepted == {1, 3}
    html = client.get(reverse("tracking:summary"), {"year": 2023, "all": "1", "measure": study.id}).content.decode()
    assert f'?year=2023&amp;all=1&amp;group={tree["cppcc"].pk}&amp;measure={study.id}#drill' in html

    page = client.get(reverse("tracking:summary"), {"year": 2023, "all": "1", "group": tree["cppcc"].pk,
                                                     "measure": study.id})
    html = page.content.decode()
    assert page.context["trail"] == [tree["cppcc"]] and page.context["group"] == tree["cppcc"]
    assert '<li class="breadcrumb-item active" aria-current="page">市政协党组' in html
    assert "2023年市政协党组所属单位统计数汇总" in html
    assert by_name(page.context["sums"])["理论学习中心组学习会议"].values == [8, 4, 1, None]
    assert by_name(page.context["sums"])["廉政谈话"].values == [30, 12, None, None]  # not 人大's 10
    assert page.context["by_child"] is None  # 机关 has nobody below it: each body's own values instead
    assert [(row.body, row.values) for row in page.context["drill"]["rows"]] == [
        ("市政协党组", [3, 4, 1, None]), ("市政协机关党组", [5, None, None, None])]
    # The page's links keep the group: the year's form, the measures, the Excel file.
    assert f'name="group" value="{tree["cppcc"].pk}"' in html
    assert f'?year=2023&amp;all=1&amp;group={tree["cppcc"].pk}&amp;measure={study.id}#by-body' in html
    assert f'href="{reverse("tracking:summary_xlsx")}?year=2023&amp;all=1&amp;group={tree["cppcc"].pk}"' in html


def test_a_group_outside_the_scope_is_ignored_as_on_the_board(client, tree, overseer, figures):
    client.force_login(overseer)
    for group in (tree["county"].pk, tree["county_body"].pk, 999999, "x"):
        response = client.get(reverse("tracking:summary"), {"year": 2023, "group": group})
        assert response.status_code == 200
        assert response.context["group"] is None and "1000" not in response.content.decode()
        assert by_name(response.context["sums"])["理论学习中心组学习会议"].values == [3, 4, None, None]
        board = client.get(reverse("tracking:board"), {"year": 2023, "group": group}).context["board"]
        assert board.group is None  # the same rule: scope.drill_level


def test_the_xlsx_of_a_group_holds_its_subtree_and_says_so(client, tree, overseer, figures):
    client.force_login(overseer)
    response = client.get(reverse("tracking:summary_xlsx"), {"year": 2023, "all": "1", "group": tree["cppcc"].pk})
    assert quote("统计数汇总-2023-市政协党组.xlsx") in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.getvalue()))
    assert "市政协党组所属单位" in workbook["汇总"]["A1"].value
    assert "市政协党组所属单位" in workbook["分单位明细"]["A1"].value
    rows = {row[0]: row for row in workbook["汇总"].iter_rows(min_row=3, values_only=True)}
    expected = sums_from_the_database(2023, ["市政协党组", "市政协机关党组"], ("accepted", "approved", "submitted"))
    for name, quarters in expected.items():
        assert [rows[name][1 + q] for q in (1, 2, 3, 4)] == [quarters.get(q) for q in (1, 2, 3, 4)], name
    assert {row[0] for row in workbook["分单位明细"].iter_rows(min_row=3, values_only=True)} == {"市政协党组", "市政协机关党组"}


def with_figures(seed):
    """Two measures' figures in every report of the generated tree (tests.test_tree.build_tree),
    at random, some left empty, some with decimals."""
    import random

    rng = random.Random(seed)
    talks = Measure.objects.get_or_create(name="廉政谈话", unit="人次")[0]
    hours = Measure.objects.get_or_create(name="培训学时", unit="小时")[0]
    MeasureValue.objects.bulk_create(
        MeasureValue(report=report, measure=measure,
                     value=None if rng.random() < 0.1 else Decimal(rng.randint(0, 40)) / (4 if measure == hours else 1))
        for report in Report.objects.filter(measure_values__isnull=True)
        for measure in (talks, hours)
    )
    if connection.vendor == "postgresql":
        # After a bulk load autovacuum analyzes the tables; inside the test's transaction it cannot,
        # and plans made on the statistics that earlier tests left took minutes where seconds do.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_organization, reports_report, reports_measurevalue, reports_membership")
    tallies.recount()  # bulk_create bypasses what keeps the sums, as a bulk load does (recount_board)
    return talks, hours


def brute_force_child_sums(level, child, measure, statuses, scope_ids):
    """A child's subtree's figures of the measure per quarter, walking the parents in Python."""
    from tests.test_tree import brute_force_parents, in_subtree

    parents = brute_force_parents()
    bodies = {pk for pk in scope_ids if in_subtree(pk, child.id, parents)}
    sums = dict.fromkeys((1, 2, 3, 4))
    for value in MeasureValue.objects.filter(measure=measure, report__organization_id__in=bodies, report__year=2023,
                                             report__quarter__isnull=False, report__status__in=statuses,
                                             value__isnull=False).select_related("report"):
        quarter = value.report.quarter
        sums[quarter] = (sums[quarter] or 0) + value.value
    supervisors = set(Organization.objects.filter(supervisor__isnull=False).values_list("supervisor_id", flat=True))
    return sums, len(bodies - supervisors)


@pytest.mark.parametrize("everything", [False, True])
def test_the_sums_per_child_equal_a_brute_force_sum_at_every_level(client, db, make_user, everything):
    from tests.test_tree import build_tree

    root, overseer = build_tree(make_user, seed=11)
    talks, hours = with_figures(11)
    statuses = ("accepted", "approved", "submitted") if everything else ("accepted",)
    scope_ids = overseen_ids(overseer)
    client.force_login(overseer)
    levels = [None, *Organization.objects.filter(depth__in=(1, 2)).order_by("id")[:3]]
    seen = 0
    for level in levels:
        for measure in (talks, hours):
            params = {"year": 2023, "measure": measure.id, **({"all": "1"} if everything else {})}
            if level is not None:
                params["group"] = level.pk
            context = client.get(reverse("tracking:summary"), params).context
            rows = context["by_child"]
            assert rows, level  # every body above the last level has bodies below it
            below = Organization.objects.filter(parent=level or root)
            assert {row.organization for row in rows if not row.own} == set(below)
            for row in rows:
                expected, bodies = brute_force_child_sums(level, row.organization, measure, statuses, scope_ids)
                if row.own:  # the level's own figures only
                    expected, _bodies = brute_force_child_sums(level, row.organization, measure, statuses, {level.pk})
                assert row.quarters == expected, (level, row.organization)
                if row.has_below:
                    assert row.bodies == bodies
                seen += 1
            # The rows add up to the measure's line of the page's table.
            for quarter in (1, 2, 3, 4):
                figures = [row.quarters[quarter] for row in rows if row.quarters[quarter] is not None]
                assert (sum(figures) if figures else None) == context["chosen"].quarters[quarter]
    assert seen > 20


def summary_queries(client, user, **params):
    client.force_login(user)
    client.get(reverse("tracking:board"))  # the session's first save is not counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("tracking:summary"), {"year": 2023, **params})
    assert response.status_code == 200
    return len(captured), response.context


def test_summary_queries_do_not_grow_with_the_size_or_the_depth_of_the_tree(client, db, make_user):
    """A small tree 3 levels deep and a large one 4 levels deep: the same number of queries at the top,
    at a level whose children have bodies below them (depth 1 against 2) and at one whose children
    have nobody below (depth 2 against 3), with a measure asked for or not, counting the reports not
    yet 签收ed or not."""
    from tests.test_tree import build_tree

    _small_root, small = build_tree(make_user, prefix="甲", levels=3, branching=(2, 2), seed=12)
    _large_root, large = build_tree(make_user, prefix="乙", levels=4, branching=(3, 4), seed=13)
    talks, _hours = with_figures(12)

    def level(prefix, depth):
        return Organization.objects.filter(name__startswith=prefix, depth=depth).order_by("id").first().pk

    pages = [({}, {}), ({"group": level("甲", 1)}, {"group": level("乙", 2)}),
             ({"group": level("甲", 2)}, {"group": level("乙", 3)})]
    for small_params, large_params in pages:
        for extra in ({}, {"measure": talks.id}, {"measure": talks.id, "all": "1"}):
            small_count, small_context = summary_queries(client, small, **small_params, **extra)
            large_count, large_context = summary_queries(client, large, **large_params, **extra)
            assert small_count == large_count, (small_params, large_params, extra)
            assert (small_context["by_child"] is None) == (large_context["by_child"] is None)
            assert small_context["bodies_count"] < large_context["bodies_count"]


def test_the_sums_per_child_take_one_aggregate_query(tree, overseer, figures, measures, django_assert_num_queries):
    from reports.tracking.scope import drill_level, overseen

    level = drill_level(overseer, None)
    entry = by_name(summary.measure_sums(overseer, 2023))["理论学习中心组学习会议"]
    scope = overseen(overseer)  # two queries of its own, the roots' paths
    # Counting 签收ed reports only: the children, which have bodies below, the sums kept below
    # those, the children's own figures, the bodies.
    with django_assert_num_queries(5) as queries:
        summary.sums_per_child(overseer, 2023, entry, level, body_ids=scope)
    assert not any("SUBSTR" in query["sql"].upper() for query in queries.captured_queries)
    with django_assert_num_queries(4) as queries:  # with the others: children, below, sums, bodies
        summary.sums_per_child(overseer, 2023, entry, level, include_unaccepted=True, body_ids=scope)
    sums = [query["sql"].upper() for query in queries.captured_queries
            if "SUM(" in query["sql"].upper() and "SUBTREE" not in query["sql"].upper()]
    assert len(sums) == 1 and "GROUP BY" in sums[0] and "SUBSTR" in sums[0]
