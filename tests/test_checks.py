"""The check panel: what is still to fill in, where the user sees it, in the order of the document."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.document.model import build_document
from reports.document.tokens import token
from reports.drafting.checks import (
    EARLIER_DATE,
    EMPTY,
    MEASURE_MISSING,
    MEASURES_REF,
    OTHER_PERIOD,
    PLACEHOLDER,
    PLAN_UNANSWERED,
    PLANS_REF,
    Problem,
    find_problems,
    find_warnings,
)
from reports.models import Heading, Item, PlanCheck


def item(report, section=1, heading=None, position=1):
    return Item.objects.get(section__report=report, section__position=section,
                            heading__position=heading, position=position)


def one_item_report(report_factory, tree, text, **fields):
    return report_factory(tree["cppcc"], sections=[("主要做法", "practices", [text])], **fields)


def test_demo_report_lists_its_six_redacted_names_and_nothing_else(demo):
    problems = find_problems(demo)

    in_heading_2 = f"item-{item(demo, 1, 2, 5).id}"
    in_heading_4 = f"item-{item(demo, 1, 4, 3).id}"
    next_steps = f"item-{item(demo, 3, None, 4).id}"
    assert [(p.kind, p.ref, p.message) for p in problems] == [
        (PLACEHOLDER, in_heading_2, "一、主要做法 （二） 五是：有待填写的占位符“**”"),
        (PLACEHOLDER, in_heading_4, "一、主要做法 （四） 三是：有待填写的占位符“***”"),
        (PLACEHOLDER, in_heading_4, "一、主要做法 （四） 三是：有待填写的占位符“**”"),
        (PLACEHOLDER, in_heading_4, "一、主要做法 （四） 三是：有待填写的占位符“**”"),
        (PLACEHOLDER, next_steps, "三、下一步的打算 四是：有待填写的占位符“**”"),
        (PLACEHOLDER, next_steps, "三、下一步的打算 四是：有待填写的占位符“**”"),
    ]  # the demo's drafter has answered 2022 Q4's two plans already (tests/test_demo.py)
    for problem, around in zip(problems, ["《**廉洁自律规范》", "***文化资源", "将**作为", "政协**市委员会",
                                          "讲好“**故事”", "具有**特色"], strict=True):
        assert around in problem.excerpt
        assert len(problem.excerpt) <= 30
        assert problem.measure_id is None
    assert not [p for p in problems if p.kind == MEASURE_MISSING]


def test_demo_report_passes_once_the_names_are_filled_in(demo):
    for entry in Item.objects.filter(section__report=demo, text__contains="*"):
        entry.text = entry.text.replace("***", "红色").replace("**", "本市")
        entry.save()
    assert find_problems(demo) == []


def test_a_plan_of_last_quarter_unanswered_is_a_problem_listed_last(demo):
    PlanCheck.objects.filter(report=demo, position=2).delete()
    assert [(p.kind, p.ref, p.message) for p in find_problems(demo)][-1] == (
        PLAN_UNANSWERED, PLANS_REF, "上季度工作打算“加强委员队伍党的建设，推动党的工作全覆盖。”尚未填写落实情况")


def test_a_missing_value_in_the_text_is_listed_at_each_place_and_not_again_for_the_panel(report_factory, measure_factory, tree):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", [("压实责任", ["甲", "乙"])])])
    talks = measure_factory(report, "廉政谈话", unit="人次")
    first, second = item(report, 1, 1, 1), item(report, 1, 1, 2)
    first.text = f"开展廉政谈话{token(talks.id)}，其中集体谈话{token(talks.id)}。"
    first.save()
    second.text = f"再谈{token(talks.id)}。"
    second.save()

    problems = find_problems(report)

    assert [(p.kind, p.ref, p.message, p.measure_id) for p in problems] == [
        (MEASURE_MISSING, f"item-{first.id}", "一、主要做法 （一） 一是：统计数“廉政谈话”尚未填写", talks.id),
        (MEASURE_MISSING, f"item-{second.id}", "一、主要做法 （一） 二是：统计数“廉政谈话”尚未填写", talks.id),
    ]  # not a third time for the panel: one entry for each place is enough
    assert problems[0].excerpt == "开展廉政谈话未填写人次，其中集体谈话未填写人次。"


def test_a_panel_measure_without_value_is_listed_even_when_no_text_refers_to_it(report_factory, measure_factory, tree):
    report = one_item_report(report_factory, tree, "坚持学习。")
    research = measure_factory(report, "专题调研")
    measure_factory(report, "民主监督", value=Decimal("2"))

    assert find_problems(report) == [
        Problem(MEASURE_MISSING, MEASURES_REF, "统计数“专题调研”尚未填写", "", research.id, subject="专题调研"),
    ]


PLACEHOLDERS = [
    ("*", "召开会议*次"), ("**", "制定《**规范》"), ("***", "发挥***文化资源"), ("＊＊", "政协＊＊市委员会"),
    ("x次", "开展x次"), ("X次", "开展X次"), ("xx次", "开展xx次"), ("×次", "开展×次"), ("XX人次", "谈话XX人次"),
    ("x件", "提案x件"), ("x篇", "信息x篇"), ("x人", "培训x人"), ("x场", "宣讲x场"), ("x项", "制度x项"),
    ("x个", "支部x个"), ("x家", "企业x家"), ("x条", "建议x条"), ("x期", "简报x期"), ("x名", "干部x名"),
    ("x元", "资金x元"), ("x万元", "资金x万元"),
    ("××", "××单位"), ("×××", "×××同志"), ("XX", "赴XX调研"), ("xx", "在xx召开"), ("ＸＸ", "ＸＸ市"),
    ("【】", "印发【】文件"), ("【……】", "印发【……】文件"), ("【单位名称】", "【单位名称】党组"),
    ("〔 〕", "文号〔 〕"), ("〔〕", "文号〔〕"),
]


@pytest.mark.parametrize("placeholder, text", PLACEHOLDERS)
def test_each_placeholder_form_is_found(report_factory, tree, placeholder, text):
    report = one_item_report(report_factory, tree, f"一季度，{text}，推动落实。")

    problems = find_problems(report)

    assert [(p.kind, p.ref, p.message) for p in problems] == [
        (PLACEHOLDER, f"item-{item(report).id}", f"一、主要做法 一是：有待填写的占位符“{placeholder}”"),
    ]
    assert text in problems[0].excerpt


@pytest.mark.parametrize("text", [
    "提交全国政协十四届一次会议", "深刻领悟“两个确立”的决定性意义", "列入2023年度工作要点", "共召开会议3次",
    "知敬畏、存戒惧、守底线……", "Xbox", "XXL号", "Foxx乐队", "Fedex件", "x轴", "面积3×4米", "市委〔2023〕5号文件",
    "（一）", "第十一次", "8人次",
])
def test_normal_text_is_not_a_placeholder(report_factory, tree, text):
    report = one_item_report(report_factory, tree, f"一季度，{text}。")
    assert find_problems(report) == []


# The units things are counted in, as these reports write them (listed here, not read from the code),
# and the spans and rates that begin like one and count nothing.
COUNT_UNITS = ["人次", "万元", "次", "件", "篇", "人", "场", "项", "个", "家", "条", "期", "名", "元"]
SPANS = ["个月", "个百分点", "个工作日"]


@pytest.mark.parametrize("unit", COUNT_UNITS)
def test_a_count_the_check_panel_asks_for_is_a_measure_once_imported_and_the_reverse(report_factory, tree, unit):
    from reports.word.importing import parse_text

    text = f"开展学习x{unit}，召开会议XX{unit}，组织调研×{unit}"
    report = one_item_report(report_factory, tree, f"{text}。")
    assert [p.message for p in find_problems(report)] == [
        f"一、主要做法 一是：有待填写的占位符“{blank}{unit}”" for blank in ("x", "XX", "×")]

    parsed = parse_text(f"一、主要做法\n一是{text}。")
    assert [(m.name, m.unit, m.value) for m in parsed.measures] == [
        ("学习", unit, None), ("会议", unit, None), ("调研", unit, None)]
    assert parsed.placeholders == []  # a count is a measure now, no longer a blank in the text


@pytest.mark.parametrize("span", SPANS)
def test_a_span_is_no_count_in_the_check_panel_nor_in_the_importer(report_factory, tree, span):
    from reports.word.importing import parse_text

    # Still a blank to fill, reported whole: not as a count "x个" followed by 月.
    report = one_item_report(report_factory, tree, f"整改用时x{span}。")
    assert [p.message for p in find_problems(report)] == [f"一、主要做法 一是：有待填写的占位符“x{span}”"]
    assert find_problems(one_item_report(report_factory, tree, f"整改用时3{span}。", quarter=2)) == []

    parsed = parse_text(f"一、主要做法\n一是整改用时x{span}，压缩3{span}。")
    assert parsed.measures == []
    assert parsed.placeholders == [f"整改用时x{span}"]


def test_placeholders_are_found_in_every_part_in_document_order(report_factory, measure_factory, tree):
    report = report_factory(
        tree["cppcc"], title="××党组2023年第一季度报告", addressee="XX市委：", opening="按要求，现报告如下【】。",
        closing="特此报告〔〕。", signature_name="***党组", signature_date=date(2023, 4, 10),
        sections=[("主要做法", "practices", [("深化XX学习", ["开展x次"])]), ("存在的**问题", "problems", ["不足"])],
    )
    measure_factory(report, "专题调研")
    first, second = report.sections.all()
    first.lead = "本季度＊工作如下。"
    first.save()
    heading = Heading.objects.get(section=first)
    heading.lead = "学习xx精神。"
    heading.save()

    problems = find_problems(report)

    assert [(p.ref, p.message) for p in problems] == [
        ("title", "标题：有待填写的占位符“××”"),
        ("addressee", "主送机关：有待填写的占位符“XX”"),
        ("opening", "开头段：有待填写的占位符“【】”"),
        (f"section-{first.id}", "一、主要做法：有待填写的占位符“＊”"),
        (f"heading-{heading.id}", "一、主要做法 （一）：有待填写的占位符“XX”"),
        (f"heading-{heading.id}", "一、主要做法 （一）：有待填写的占位符“xx”"),
        (f"item-{item(report, 1, 1).id}", "一、主要做法 （一） 一是：有待填写的占位符“x次”"),
        (f"section-{second.id}", "二、存在的**问题：有待填写的占位符“**”"),
        ("closing", "结束语：有待填写的占位符“〔〕”"),
        ("signature", "落款：有待填写的占位符“***”"),
        (MEASURES_REF, "统计数“专题调研”尚未填写"),
    ]
    assert problems[4].excerpt == "深化XX学习。学习xx精神。"


def test_empty_parts_are_listed_where_they_are(report_factory, tree):
    report = report_factory(tree["cppcc"], title="  ", sections=[
        ("主要做法", "practices", [("", ["坚持学习。", " \n "]), ("压实责任", ["落实。"])]),
        ("。", "problems", ["不足。"]),
        ("下一步的打算", "next_steps", []),
        ("其他", "other", []),
    ])
    practices, problems_section, next_steps, other = report.sections.all()
    other.lead = "无。"
    other.save()
    untitled = Heading.objects.get(section=practices, position=1)

    problems = find_problems(report)

    assert [(p.kind, p.ref, p.message) for p in problems] == [
        (EMPTY, "title", "报告标题为空"),
        (EMPTY, f"heading-{untitled.id}", "一、主要做法 （一）：小标题为空"),
        (EMPTY, f"item-{item(report, 1, 1, 2).id}", "一、主要做法 （一） 二是：这一项还没有内容"),
        (EMPTY, f"section-{problems_section.id}", "第二部分：部分标题为空"),
        (EMPTY, f"section-{next_steps.id}", "三、下一步的打算：这一部分还没有内容"),
    ]
    assert all(p.excerpt == "" and p.measure_id is None for p in problems)


def test_a_section_with_only_headings_is_not_empty(report_factory, tree):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", [("深化理论学习", ["学习。"])])])
    assert find_problems(report) == []


def big_report(report_factory, measure_factory, tree, quarter, items):
    """A report of `items` items, every third one with a placeholder, a missing measure or no text."""
    texts = [("召开会议**次。", "会议{TOKEN}。", "")[n % 3] for n in range(items)]
    report = report_factory(tree["cppcc"], quarter=quarter, sections=[
        ("主要做法", "practices", [("学习", texts[: items // 2]), ("责任", texts[items // 2 :])]),
        ("存在的主要问题", "problems", ["不足。"]),
        ("下一步的打算", "next_steps", []),
    ])
    # Measures without a body are shared, so each report gets its own names.
    missing = measure_factory(report, f"专题调研{quarter}")
    measure_factory(report, f"民主监督{quarter}")
    for entry in Item.objects.filter(section__report=report, text__contains="{TOKEN}"):
        entry.text = entry.text.replace("{TOKEN}", token(missing.id))
        entry.save()
    return report


def test_queries_do_not_grow_with_the_number_of_items(report_factory, measure_factory, tree, django_assert_max_num_queries):
    counts = []
    for quarter, items in ((2, 10), (4, 200)):
        # Last quarter planned something, which this quarter has to answer: its plans are read too.
        report_factory(tree["cppcc"], quarter=quarter - 1, sections=[("下一步的打算", "next_steps", ["打算一。"])])
        report = big_report(report_factory, measure_factory, tree, quarter, items)
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as queries:
            problems = find_problems(report)
        counts.append(len(queries))
        assert len([p for p in problems if p.kind == PLACEHOLDER]) == len(range(0, items, 3))
        assert len([p for p in problems if p.kind == EMPTY]) == len(range(2, items, 3)) + 1
        # 民主监督 has no value and no place in the text; 专题调研 is listed where the text uses it.
        assert len([p for p in problems if p.ref == MEASURES_REF]) == 1
        assert [p.message for p in problems if p.kind == PLAN_UNANSWERED] == ["上季度工作打算“打算一。”尚未填写落实情况"]
    assert counts[0] == counts[1]


def test_a_document_passed_in_is_not_built_again(report_factory, measure_factory, tree, django_assert_num_queries):
    report = big_report(report_factory, measure_factory, tree, 1, 30)
    document = build_document(report)
    # The parts (3) and last quarter's report, whose plans this one answers (there is none).
    with django_assert_num_queries(5):
        with_document = find_problems(report, document)
    assert with_document == find_problems(report)


def test_problems_are_frozen(report_factory, tree):
    report = one_item_report(report_factory, tree, "")
    problem = find_problems(report)[0]
    assert problem.message == "一、主要做法 一是：这一项还没有内容"
    with pytest.raises(AttributeError):
        problem.message = "改"


def test_a_missing_signature_name_or_date_is_a_problem_at_the_signature(report_factory, tree):
    report = one_item_report(report_factory, tree, "开展学习。", signature_name=" ", signature_date=None)
    assert [(p.kind, p.ref, p.message) for p in find_problems(report)] == [
        (EMPTY, "signature", "落款：署名为空"),
        (EMPTY, "signature", "落款：成文日期尚未填写"),
    ]
    report.signature_name, report.signature_date = "市政协党组", date(2023, 4, 10)
    report.save()
    assert find_problems(report) == []


def test_a_copy_keeps_the_signature_name_and_asks_for_the_date(report_factory, tree, drafter):
    from reports.drafting.starting import start_report

    source = one_item_report(report_factory, tree, "开展学习。", signature_date=date(2023, 4, 10))
    copy = start_report(user=drafter, organization=source.organization, year=2023, quarter=2, copy_from=source)
    assert copy.signature_name == "市政协党组" and copy.signature_date is None
    assert [(p.ref, p.message) for p in find_problems(copy)] == [("signature", "落款：成文日期尚未填写")]


def period_texts(report_factory, tree, texts, *, quarter=2, next_steps=()):
    report = report_factory(tree["cppcc"], quarter=quarter, sections=[("主要做法", "practices", list(texts)),
                                                                     ("下一步的打算", "next_steps", list(next_steps))])
    return [(w.kind, w.message.split("：", 1)[1].split("”")[0].lstrip("“")) for w in find_warnings(report)]


def test_words_of_another_quarter_are_warnings_at_their_place(report_factory, tree):
    found = period_texts(report_factory, tree, [
        "一季度共召开会议。", "第一季度开展学习。", "1季度完成。", "二季度共召开会议。", "第二季度开展。",
        "2022年第四季度以来。", "2023年第二季度。",
    ])
    assert found == [(OTHER_PERIOD, "一季度"), (OTHER_PERIOD, "第一季度"), (OTHER_PERIOD, "1季度"),
                     (OTHER_PERIOD, "2022年第四季度")]


def test_spans_and_years_that_are_not_the_reports_are_warnings(report_factory, tree):
    found = period_texts(report_factory, tree, [
        "上半年召开会议。", "前三季度共开展。", "2022年，共召开会议。", "对照2022年度工作情况。",
        "较2022年同期增长。", "2022年12月召开。", "2023年共召开会议。", "就市政协党组2022年工作情况向市委作专题报告。",
    ], quarter=3)
    # 2022年12月 is no period word, but a date before the report's period began.
    assert found == [(OTHER_PERIOD, "上半年"), (OTHER_PERIOD, "2022年"), (EARLIER_DATE, "2022年12月")]


def test_a_year_older_than_the_last_is_no_background(report_factory, tree):
    found = period_texts(report_factory, tree, [
        "列入2022年度工作要点。", "列入2020年度工作要点。", "对照2021年工作情况。", "2020年以来共召开会议。",
    ], quarter=3)
    assert found == [(OTHER_PERIOD, "2020年"), (OTHER_PERIOD, "2021年")]


def test_dates_before_the_period_are_warnings_and_later_ones_deadlines(report_factory, tree):
    found = period_texts(report_factory, tree, [
        "3月5日召开党组会议。", "7月12日召开党组会议。", "2023年4月起施行。", "6月底前完成整改。",
        "2月30日。", "12月31日前完成。", "2022年10月18日印发。",
    ], quarter=3)
    assert found == [(EARLIER_DATE, "3月5日"), (EARLIER_DATE, "2023年4月"), (EARLIER_DATE, "2022年10月18日")]


def test_a_date_of_signing_before_the_period_is_a_warning(report_factory, tree):
    report = one_item_report(report_factory, tree, "召开会议。", quarter=2)
    report.signature_date = date(2023, 3, 28)
    report.save()
    [warning] = find_warnings(report)
    assert (warning.kind, warning.ref, warning.field, warning.subject) == (EARLIER_DATE, "signature", "signature_date",
                                                                            "2023年3月28日")
    assert "早于本报告的期间" in warning.message
    report.signature_date = date(2023, 4, 1)
    report.save()
    assert find_warnings(report) == []


def test_the_next_quarter_is_right_in_the_plans(report_factory, tree):
    found = period_texts(report_factory, tree, ["四季度已开展。"], quarter=4,
                         next_steps=["2024年第一季度将开展。", "一季度将召开。", "二季度将召开。"])
    assert found == [(OTHER_PERIOD, "二季度")]


def test_warnings_are_linked_to_their_place_and_do_not_block(report_factory, tree):
    report = one_item_report(report_factory, tree, "一季度共召开会议。", quarter=2)
    [warning] = find_warnings(report)
    assert warning.ref == f"item-{item(report).id}"
    assert warning.message.startswith("一、主要做法 一是：“一季度”")
    assert "一季度共召开会议" in warning.excerpt
    assert find_problems(report) == []


def test_the_check_panel_lists_warnings_apart(client, report_factory, tree, drafter):
    report = one_item_report(report_factory, tree, "一季度共召开会议。", quarter=2)
    client.force_login(drafter)
    page = client.get(reverse("reports:check", args=[report.pk])).content.decode()
    assert 'data-testid="check-warnings"' in page and 'data-testid="check-list"' not in page
    assert f'#item-{item(report).id}"' in page
