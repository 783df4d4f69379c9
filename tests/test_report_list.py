"""The report list: the user's bodies' reports, newest first, filtered, searched and paginated."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from reports.models import Membership, Organization, Report
from reports.views import keyset
from tests.browser import log_in
from tests.fixtures import PASSWORD

LIST_URL = reverse("reports:list")


def titles(response):
    """The report titles in the table, in the order shown."""
    return re.findall(r'<a href="/reports/\d+/" class="fw-semibold[^"]*">([^<]+)</a>', response.content.decode())


def get(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return response


@pytest.fixture
def overseer_reports(tree, report_factory):
    """Reports of three bodies under 市纪委监委, and one of a body in another tree."""
    return {
        "cppcc_2023q1": report_factory(tree["cppcc"], year=2023, quarter=1, title="政协二〇二三年一季度"),
        "cppcc_2023q2": report_factory(
            tree["cppcc"], year=2023, quarter=2, title="政协二〇二三年二季度", status=Report.Status.SUBMITTED
        ),
        "congress_2023q1": report_factory(
            tree["congress"], year=2023, quarter=1, title="人大二〇二三年一季度", status=Report.Status.APPROVED
        ),
        "office_2022q4": report_factory(
            tree["office"], year=2022, quarter=4, title="机关二〇二二年四季度", status=Report.Status.RETURNED
        ),
        "county_2023q1": report_factory(tree["county_body"], year=2023, quarter=1, title="县政协二〇二三年一季度"),
    }


# --- what is listed and how ---------------------------------------------------------------


def test_lists_the_reports_of_the_users_bodies_newest_first(client, overseer, overseer_reports):
    client.force_login(overseer)
    response = get(client)
    # -year, -quarter, then the bodies in the order they were registered (市政协党组 before 市人大常委会党组).
    assert titles(response) == ["政协二〇二三年二季度", "政协二〇二三年一季度", "人大二〇二三年一季度", "机关二〇二二年四季度"]
    content = response.content.decode()
    assert "共 4 份" in content
    assert "县政协二〇二三年一季度" not in content and "县政协党组" not in content


def test_a_row_shows_body_period_status_and_last_change(client, tree, drafter, make_user, report_factory):
    editor = make_user("editor", first_name="王小红")
    report = report_factory(tree["cppcc"], year=2024, quarter=3, title="第三季度报告", status=Report.Status.SUBMITTED)
    Report.objects.filter(pk=report.pk).update(
        updated_by=editor, updated_at=timezone.make_aware(datetime(2024, 10, 8, 9, 30))
    )
    client.force_login(drafter)
    content = get(client).content.decode()
    row = re.search(r"<tr>\s*<td><a href=\"(?P<href>[^\"]+)\".*?</tr>", content, re.DOTALL)
    assert row["href"] == reverse("reports:detail", args=[report.pk])
    text = row.group(0)
    assert "第三季度报告" in text
    assert "市政协党组" in text
    assert "2024年第三季度" in text
    assert 'data-status="submitted"' in text and "已提交" in text
    assert "2024-10-08 09:30 · 王小红" in text


def test_the_last_change_falls_back_to_the_username(client, tree, drafter, report_factory):
    report = report_factory(tree["cppcc"])
    Report.objects.filter(pk=report.pk).update(updated_by=drafter)
    client.force_login(drafter)
    assert " · drafter</td>" in get(client).content.decode()


# --- filters -------------------------------------------------------------------------------


def test_filter_by_body(client, tree, overseer, overseer_reports):
    client.force_login(overseer)
    response = get(client, organization=tree["cppcc"].pk)
    assert titles(response) == ["政协二〇二三年二季度", "政协二〇二三年一季度"]
    content = response.content.decode()
    assert "共 2 份" in content
    assert f'<option value="{tree["cppcc"].pk}" selected>市政协党组</option>' in content
    # The body choices are the visible bodies only.
    assert "市人大常委会党组</option>" in content and "县政协党组</option>" not in content


def test_body_names_in_the_filter_are_escaped(client, tree, overseer, overseer_reports):
    """The options are written in Python (reports/views/filters.py): a name is text, never markup."""
    Organization.objects.create(name='<script>alert("x")</script>党组', parent=tree["city"])
    client.force_login(overseer)
    content = get(client).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;党组</option>" in content


def test_filter_by_year_offers_only_the_years_present_newest_first(client, overseer, overseer_reports):
    client.force_login(overseer)
    response = get(client, year=2022)
    assert titles(response) == ["机关二〇二二年四季度"]
    content = response.content.decode()
    options = re.findall(r'<option value="(\d{4})"[^>]*>(\d{4}年)</option>', content)
    assert options == [("2023", "2023年"), ("2022", "2022年")]
    assert '<option value="2022" selected>2022年</option>' in content


def test_filter_by_quarter(client, overseer, overseer_reports):
    client.force_login(overseer)
    response = get(client, quarter=1)
    assert titles(response) == ["政协二〇二三年一季度", "人大二〇二三年一季度"]
    content = response.content.decode()
    assert '<option value="1" selected>第一季度</option>' in content
    assert '<option value="4">第四季度</option>' in content


def test_filter_by_status(client, overseer, overseer_reports):
    client.force_login(overseer)
    response = get(client, status="returned")
    assert titles(response) == ["机关二〇二二年四季度"]
    assert '<option value="returned" selected>已退回</option>' in response.content.decode()


def test_filters_combine_and_the_clear_link_appears(client, tree, overseer, overseer_reports):
    client.force_login(overseer)
    assert "清除</a>" not in get(client).content.decode()
    response = get(client, organization=tree["cppcc"].pk, year=2023, status="submitted")
    assert titles(response) == ["政协二〇二三年二季度"]
    assert f'<a href="{LIST_URL}" class="btn btn-link btn-sm">清除</a>' in response.content.decode()


def test_nothing_matching_says_so_and_offers_to_clear(client, overseer, overseer_reports):
    client.force_login(overseer)
    response = get(client, year=2022, quarter=1)
    content = response.content.decode()
    assert titles(response) == []
    assert "没有符合筛选条件的报告。" in content
    assert "清除筛选条件" in content
    assert "共 0 份" in content


def test_a_user_without_any_role_is_told_whom_to_ask(client, make_user):
    client.force_login(make_user("zhangs"))
    content = get(client).content.decode()
    assert "您的账号还没有开通季报" in content and "您已用账号 zhangs 登录" in content
    assert "上级督办单位" in content and 'role="search"' not in content


def test_a_user_without_reports_sees_an_empty_list_without_filters(client, tree, drafter):
    client.force_login(drafter)
    content = get(client).content.decode()
    assert "还没有您可以查看的报告。" in content
    assert 'role="search"' not in content


def test_a_user_of_one_body_gets_no_body_choice(client, tree, drafter, report_factory):
    report_factory(tree["cppcc"])
    client.force_login(drafter)
    content = get(client).content.decode()
    assert 'role="search"' in content
    assert 'name="organization"' not in content
    assert 'name="year"' in content and 'name="status"' in content and 'name="q"' in content


# --- search --------------------------------------------------------------------------------


@pytest.fixture
def searchable(tree, report_factory):
    structure = [
        (
            "主要做法",
            "practices",
            [("深化理论学习", ["坚持第一议题制度", "开展廉政谈话，覆盖全体干部", "落实谈心谈话制度"])],
        ),
        ("存在的主要问题", "problems", ["学习的系统性不够"]),
    ]
    found = report_factory(tree["cppcc"], year=2023, quarter=1, title="有谈话的报告", sections=structure)
    other = report_factory(
        tree["cppcc"],
        year=2023,
        quarter=2,
        title="另一份报告",
        opening="本季度开展了Integrity专题教育。",
        sections=[("主要做法", "practices", [("加强作风建设", ["整治形式主义"])])],
    )
    return found, other


def test_search_finds_a_report_by_a_word_only_in_one_of_its_items(client, drafter, searchable):
    client.force_login(drafter)
    response = get(client, q="廉政谈话")
    # Found once, although several of its items mention 谈话.
    assert titles(response) == ["有谈话的报告"]
    assert "共 1 份" in response.content.decode()
    assert titles(get(client, q="谈话")) == ["有谈话的报告"]


def test_search_finds_by_title_heading_section_and_opening(client, drafter, searchable):
    client.force_login(drafter)
    assert titles(get(client, q="另一份")) == ["另一份报告"]
    assert titles(get(client, q="作风建设")) == ["另一份报告"]
    assert titles(get(client, q="存在的主要问题")) == ["有谈话的报告"]
    assert titles(get(client, q="主要做法")) == ["另一份报告", "有谈话的报告"]
    # Case-insensitive, in the opening.
    assert titles(get(client, q="integrity")) == ["另一份报告"]


def test_search_keeps_what_was_typed_and_every_word_must_match(client, drafter, searchable):
    client.force_login(drafter)
    response = get(client, q="第一议题  系统性")
    assert titles(response) == ["有谈话的报告"]
    assert 'value="第一议题  系统性"' in response.content.decode()
    response = get(client, q="第一议题 作风")
    assert titles(response) == []
    assert "没有符合筛选条件的报告。" in response.content.decode()


def test_search_combines_with_the_filters(client, drafter, searchable):
    client.force_login(drafter)
    assert titles(get(client, q="主要做法", quarter=1)) == ["有谈话的报告"]


# --- other bodies' reports -----------------------------------------------------------------


def test_another_bodys_report_never_appears(client, tree, drafter, report_factory):
    report_factory(tree["cppcc"], title="本单位的报告")
    report_factory(
        tree["congress"],
        title="人大的秘密报告",
        status=Report.Status.SUBMITTED,
        sections=[("主要做法", "practices", ["只有人大才有的独特词语"])],
    )
    client.force_login(drafter)
    for params in (
        {},
        {"q": "秘密"},
        {"q": "独特词语"},
        {"organization": tree["congress"].pk},
        {"organization": tree["congress"].pk, "q": "秘密"},
        {"status": "submitted"},
    ):
        content = get(client, **params).content.decode()
        assert "人大的秘密报告" not in content, params
        assert "市人大常委会党组" not in content, params


def test_an_overseer_cannot_filter_by_a_body_outside_their_tree(client, tree, overseer, overseer_reports):
    client.force_login(overseer)
    response = get(client, organization=tree["county_body"].pk)
    content = response.content.decode()
    assert "县政协二〇二三年一季度" not in content
    assert "县政协党组" not in content
    assert f"单位：没有“{tree['county_body'].pk}”这一选项。" in content
    # The refused filter is not applied: the visible reports are listed.
    assert len(titles(response)) == 4


# --- wrong values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "1999"},
        {"quarter": "9"},
        {"quarter": "一"},
        {"status": "x"},
        {"organization": "999999"},
        {"organization": "abc"},
        {"organization": "99999999999999999999999999"},
        {"q": "x" * 500},
        {"q": "a\x00b"},
        {"after": "abc"},
        {"after": "-1.4.2"},
        {"before": "2099.4.99999999999999"},
        {"after": "1.2.3.4"},
        {"year": "abc", "quarter": "9", "status": "x", "organization": "999999"},
    ],
)
def test_wrong_values_in_the_query_string_do_not_break_the_page(client, tree, overseer, overseer_reports, params):
    client.force_login(overseer)
    response = get(client, **params)
    content = response.content.decode()
    # The wrong condition is refused with a message and not applied; the list is shown.
    assert len(titles(response)) == 4
    if not {"after", "before"} & set(params):
        assert "以下筛选条件无效，未被采用" in content
        assert "is-invalid" in content
        assert f'<a href="{LIST_URL}" class="btn btn-link btn-sm">清除</a>' in content


def test_a_wrong_value_is_reported_in_chinese_and_the_valid_ones_still_apply(client, overseer, overseer_reports):
    client.force_login(overseer)
    response = get(client, year="abc", status="approved")
    content = response.content.decode()
    assert titles(response) == ["人大二〇二三年一季度"]
    assert "年度：没有“abc”这一选项。" in content


# --- pagination ----------------------------------------------------------------------------


@pytest.fixture
def many_reports(tree, report_factory):
    """30 reports of 市政协党组, 2016 Q1 to 2023 Q2: 27 approved, 3 drafts (2016 Q1, 2018 Q3, 2021 Q1)."""
    made = []
    for index in range(30):
        year, quarter = 2016 + index // 4, 1 + index % 4
        status = Report.Status.DRAFT if index % 10 == 0 else Report.Status.APPROVED
        made.append(report_factory(tree["cppcc"], year=year, quarter=quarter, title=f"报告{year}-{quarter}", status=status))
    return made


def page_link(response, name):
    found = re.search(rf'<a class="page-link" href="([^"]+)">{name}</a>', response.content.decode())
    return found[1].replace("&amp;", "&") if found else None


def test_pagination_keeps_the_filters(client, drafter, many_reports):
    client.force_login(drafter)
    first = get(client, status="approved", q="报告")
    content = first.content.decode()
    assert "共 27 份" in content
    assert titles(first)[:3] == ["报告2023-2", "报告2023-1", "报告2022-4"]
    assert len(titles(first)) == 25
    assert page_link(first, "上一页") is None
    body = many_reports[0].organization_id
    next_url = page_link(first, "下一页")
    # The key of the last row shown (2016 Q4, the body's id), after the filters.
    assert next_url == f"?status=approved&q=%E6%8A%A5%E5%91%8A&after=2016.4.{body}"

    second = client.get(LIST_URL + next_url)
    # Still only the approved ones: the 2016 Q1 draft is not on the second page.
    assert titles(second) == ["报告2016-3", "报告2016-2"]
    content = second.content.decode()
    assert "共 27 份" in content
    assert '<option value="approved" selected>已审定</option>' in content
    assert 'value="报告"' in content  # the search box still shows the search
    assert page_link(second, "下一页") is None
    previous_url = page_link(second, "上一页")
    assert previous_url == f"?status=approved&q=%E6%8A%A5%E5%91%8A&before=2016.3.{body}"
    # Back is the first page again, whose own 上一页 is gone.
    back = client.get(LIST_URL + previous_url)
    assert titles(back) == titles(first)
    assert page_link(back, "上一页") is None
    assert page_link(back, "下一页") == next_url


def test_unfiltered_pages_cover_every_report_once(client, drafter, many_reports):
    client.force_login(drafter)
    first = get(client)
    second = client.get(LIST_URL + page_link(first, "下一页"))
    shown = titles(first) + titles(second)
    assert len(shown) == 30 and len(set(shown)) == 30
    assert shown[-1] == "报告2016-1"


def test_pages_follow_the_period_then_the_body_and_an_annual_report_leads_its_year(
        client, tree, overseer, report_factory):
    """Several bodies in one period: each period's reports are together, annual before Q4."""
    bodies = sorted([tree["cppcc"], tree["congress"]], key=lambda body: body.id)
    for body in bodies:
        for quarter in (3, 4, None):
            report_factory(body, year=2024, quarter=quarter, title=f"{body.name}{quarter or '年度'}")
    client.force_login(overseer)
    shown = titles(get(client, year="2024"))
    assert shown == [f"{body.name}{quarter}" for quarter in ("年度", 4, 3) for body in bodies]


def test_a_page_walked_backwards_from_a_row_since_deleted_still_shows(client, drafter, many_reports):
    """A link's key names a row, but the page does not need the row to exist any more."""
    client.force_login(drafter)
    first = get(client)
    next_url = page_link(first, "下一页")
    many_reports[5].delete()  # the 2017 Q2 report, the last on the first page: the next page's key
    second = client.get(LIST_URL + next_url)
    assert titles(second) == ["报告2017-1", "报告2016-4", "报告2016-3", "报告2016-2", "报告2016-1"]
    back = client.get(LIST_URL + page_link(second, "上一页"))
    # The 24 reports left before it, and nothing before them.
    assert len(titles(back)) == 24 and "报告2017-2" not in titles(back)
    assert page_link(back, "上一页") is None


def test_the_count_stops_at_its_limit(client, drafter, many_reports, monkeypatch):
    monkeypatch.setattr(keyset, "COUNT_LIMIT", 10)
    monkeypatch.setattr(keyset.Page, "count_limit", 10)
    client.force_login(drafter)
    content = get(client).content.decode()
    assert "10 份以上" in content and "共 30 份" not in content


def test_a_page_costs_the_same_queries_however_deep_it_is(client, drafter, many_reports, monkeypatch):
    monkeypatch.setattr(keyset, "PAGE_SIZE", 5)
    client.force_login(drafter)
    second = client.get(LIST_URL + page_link(get(client), "下一页"))
    with CaptureQueriesContext(connection) as on_second:
        client.get(LIST_URL + page_link(second, "下一页"))
    url = LIST_URL + page_link(second, "下一页")
    for _ in range(3):
        url = LIST_URL + page_link(client.get(url), "下一页")
    with CaptureQueriesContext(connection) as on_last:
        last = client.get(url)
    assert titles(last) == ["报告2017-1", "报告2016-4", "报告2016-3", "报告2016-2", "报告2016-1"]
    assert page_link(last, "下一页") is None
    assert len(on_last) == len(on_second)
    # No OFFSET anywhere: a page is found from its key.
    assert not any("OFFSET" in query["sql"] for query in on_last.captured_queries)


# --- the create button ---------------------------------------------------------------------


def test_the_create_button_is_shown_to_drafters_only(client, tree, drafter, overseer, report_factory):
    report_factory(tree["cppcc"])
    client.force_login(drafter)
    content = get(client).content.decode()
    try:
        create_url = reverse("reports:create")
    except NoReverseMatch:  # the create page is not there yet
        assert "新建报告" not in content
        return
    assert f'<a href="{create_url}" class="btn btn-primary btn-sm">新建报告</a>' in content
    client.force_login(overseer)
    assert "新建报告" not in get(client).content.decode()


# --- queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("user_kind", ["drafter", "overseer"])
def test_the_number_of_queries_does_not_grow_with_the_reports(client, tree, make_user, report_factory, user_kind):
    if user_kind == "drafter":
        user = make_user(organization=tree["cppcc"], role=Membership.Role.DRAFTER)
        bodies = [tree["cppcc"]]
    else:
        user = make_user(organization=tree["city"], role=Membership.Role.OVERSEER)
        bodies = [tree["cppcc"], tree["congress"], tree["office"]]
    editor = make_user("editor", first_name="李小明")
    client.force_login(user)
    params = {"q": "报告", "status": "draft", "year": "", "quarter": ""}
    if len(bodies) > 1:
        params["organization"] = bodies[0].pk

    def add_reports(count):
        start = Report.objects.count()
        for index in range(start, start + count):
            body = bodies[0] if index % 2 == 0 or len(bodies) == 1 else bodies[index % len(bodies)]
            report = report_factory(body, year=2000 + index // 4, quarter=1 + index % 4, title=f"报告{index}")
            Report.objects.filter(pk=report.pk).update(updated_by=editor, updated_at=timezone.now() - timedelta(days=index))

    def count_queries(**query):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST_URL, query)
        assert response.status_code == 200
        return len(queries), response.content.decode()

    add_reports(5)
    few_plain, content = count_queries()
    few_filtered, _ = count_queries(**params)
    assert "李小明" in content
    add_reports(35)
    many_plain, content = count_queries()
    many_filtered, _ = count_queries(**params)
    assert "共 40 份" in content and "李小明" in content
    assert many_plain == few_plain
    assert many_filtered == few_filtered


# --- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_filtering_through_the_form_in_a_browser(page, live_server, tree, make_user, report_factory, artifacts_dir):
    from playwright.sync_api import expect

    overseer = make_user("zhang", organization=tree["city"], role=Membership.Role.OVERSEER, first_name="张伟")
    drafter = make_user("li", organization=tree["cppcc"], role=Membership.Role.DRAFTER, first_name="李娜")
    other_drafter = make_user("wang", organization=tree["congress"], role=Membership.Role.DRAFTER, first_name="王芳")
    # 2023 and 2024 Q1–Q3 of three bodies; the older the report, the further it has gone.
    pipeline = {1: Report.Status.APPROVED, 2: Report.Status.APPROVED, 3: Report.Status.SUBMITTED, 4: Report.Status.APPROVED}
    for body, author, late in ((tree["cppcc"], drafter, 0), (tree["congress"], other_drafter, 3), (tree["office"], drafter, 6)):
        for year in (2023, 2024):
            for quarter in (1, 2, 3, 4):
                if year == 2024 and quarter == 4:
                    continue
                status = pipeline[quarter]
                if year == 2024 and quarter == 2 and body == tree["office"]:
                    status = Report.Status.RETURNED
                if year == 2024 and quarter == 3:
                    status = Report.Status.DRAFT
                report = report_factory(
                    body,
                    year=year,
                    quarter=quarter,
                    status=status,
                    title=f"{body.name}{year}年第{'一二三四'[quarter - 1]}季度履行全面从严治党主体责任情况报告",
                )
                quarter_end = datetime(year + quarter // 4, quarter * 3 % 12 + 1, 1, 9, 0)
                Report.objects.filter(pk=report.pk).update(
                    updated_by=author, updated_at=timezone.make_aware(quarter_end + timedelta(days=5 + late, hours=late))
                )
    expected = Report.objects.filter(year=2024, status=Report.Status.APPROVED).count()
    assert expected == 5

    log_in(page, live_server, overseer.username, PASSWORD)
    expect(page.get_by_role("heading", name="报告")).to_be_visible()
    expect(page.get_by_test_id("report-count")).to_have_text("共 21 份")

    filters = page.get_by_role("search")
    filters.get_by_label("状态").select_option(label="已审定")
    filters.get_by_label("年度").select_option(label="2024年")
    filters.get_by_role("button", name="筛选").click()

    expect(page).to_have_url(re.compile(r"year=2024"))
    expect(page.get_by_test_id("report-count")).to_have_text(f"共 {expected} 份")
    rows = page.locator("table.report-table tbody tr")
    expect(rows).to_have_count(expected)
    for index in range(expected):
        expect(rows.nth(index)).to_contain_text("2024年")
        expect(rows.nth(index).locator(".status-badge")).to_have_text("已审定")
    expect(filters.get_by_label("状态")).to_have_value("approved")
    expect(filters.get_by_role("link", name="清除")).to_be_visible()
    page.screenshot(path=artifacts_dir / "report-list-filtered.png", full_page=True)

    filters.get_by_role("link", name="清除").click()
    expect(page.get_by_test_id("report-count")).to_have_text("共 21 份")


def test_with_many_bodies_the_body_filter_searches_the_server(client, tree, overseer, overseer_reports, monkeypatch):
    """Past BODY_OPTIONS visible bodies, the select holds only the body asked for, and
    reports:body_search suggests the visible bodies that match what is typed, never another tree's."""
    monkeypatch.setattr("reports.views.filters.BODY_OPTIONS", 2)
    client.force_login(overseer)
    html = get(client).content.decode()
    search_url = reverse("reports:body_search")
    assert f'data-search-url="{search_url}"' in html and "市人大常委会党组</option>" not in html

    html = get(client, organization=tree["congress"].pk).content.decode()
    assert f'<option value="{tree["congress"].pk}" selected>市人大常委会党组</option>' in html
    assert titles(get(client, organization=tree["congress"].pk)) == ["人大二〇二三年一季度"]

    found = client.get(search_url, {"q": "政协"}).json()["results"]
    assert [body["text"] for body in found] == ["市政协党组", "市政协机关党组"]  # not 县政协党组: another tree
    assert client.get(search_url, {"q": "县"}).json()["results"] == []
    # A body outside the tree asked for by id is refused like any wrong choice, and names nothing.
    response = get(client, organization=tree["county_body"].pk)
    assert "县政协党组" not in response.content.decode() and "没有“" in response.content.decode()


def test_with_few_bodies_the_body_filter_lists_them_all_searchable(client, tree, overseer, overseer_reports):
    client.force_login(overseer)
    html = get(client).content.decode()
    assert "data-searchable" in html and "data-search-url" not in html and "市人大常委会党组</option>" in html


def test_body_search_needs_a_login_and_sees_only_the_users_bodies(client, tree, drafter):
    search_url = reverse("reports:body_search")
    assert client.get(search_url, {"q": "政协"}).status_code == 302
    client.force_login(drafter)
    assert [body["text"] for body in client.get(search_url, {"q": ""}).json()["results"]] == ["市政协党组"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_body_filter_finds_a_body_as_one_types(page, live_server, tree, overseer, overseer_reports, monkeypatch,
                                                    artifacts_dir):
    """Past BODY_OPTIONS bodies the select lists none: typing part of a name asks the server."""
    from playwright.sync_api import expect

    monkeypatch.setattr("reports.views.filters.BODY_OPTIONS", 2)
    log_in(page, live_server, overseer.username, PASSWORD)
    filters = page.get_by_role("search")
    control = filters.locator(".ts-control")
    control.click()
    page.keyboard.type("人大")
    option = page.locator(".ts-dropdown .option", has_text="市人大常委会党组")
    expect(option).to_be_visible()
    expect(page.locator(".ts-dropdown .option")).to_have_count(1)
    page.screenshot(path=artifacts_dir / "report-list-body-search.png", full_page=True)
    option.click()
    # The control keeps its size as the choice closes: the button does not move under the pointer.
    filters.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(rf"organization={tree['congress'].pk}"))
    expect(page.get_by_test_id("report-count")).to_have_text("共 1 份")
    expect(page.locator("table.report-table tbody tr")).to_contain_text("人大二〇二三年一季度")
    expect(control).to_contain_text("市人大常委会党组")  # the choice stays shown
