"""The document model: what the report prints as, in order, with numbering from position."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from reports.document.model import Kind, Role, build_document
from reports.document.tokens import token
from reports.models import Measure, Report

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "quarterly-report-2023Q1.txt"


def ordinals(paragraph):
    return [run.text for run in paragraph.runs if run.kind == "ordinal"]


def test_sample_report_prints_in_order_with_its_numbering(demo):
    document = build_document(demo)
    kinds = [p.kind for p in document.paragraphs]
    assert kinds == [
        Kind.TITLE, Kind.OPENING,
        Kind.SECTION, Kind.HEADING, Kind.HEADING, Kind.HEADING, Kind.HEADING,
        Kind.SECTION, Kind.BODY,
        Kind.SECTION, Kind.BODY,
        Kind.SIGNATURE, Kind.DATE,
    ]
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "市政协党组2023年第一季度履行全面从严治党主体责任情况报告"
    assert [texts[i] for i in (2, 7, 9)] == ["一、主要做法", "二、存在的主要问题", "三、下一步的打算"]
    headings = [p for p in document.paragraphs if p.kind == Kind.HEADING]
    assert [ordinals(p)[0] + p.runs[1].text for p in headings] == [
        "（一）深化理论学习，把准正确方向。",
        "（二）坚持党的领导，压实主体责任。",
        "（三）加强思想政治引领，把牢意识形态工作主动权。",
        "（四）大兴调查研究，助推全面振兴。",
    ]
    assert [len(ordinals(p)) - 1 for p in headings] == [3, 6, 4, 3]
    assert ordinals(headings[1])[1:] == ["一是", "二是", "三是", "四是", "五是", "六是"]
    assert len(ordinals(document.paragraphs[8])) == 2
    assert len(ordinals(document.paragraphs[10])) == 5
    assert texts[-2:] == ["市政协党组", "2023年4月10日"]


def test_sample_text_is_the_seed_with_its_counts_filled_in(demo):
    """Everything between title and signature is the sample, word for word, with the eight
    `*` counts replaced by the values from the measures panel."""
    seed = SEED.read_text(encoding="utf-8")
    counts = [
        ("学习会议*次", "学习会议3次"), ("集体交流研讨*次", "集体交流研讨2次"), ("廉政谈话*人次", "廉政谈话26人次"),
        ("常委会协商*次", "常委会协商4次"), ("双月协商*次", "双月协商3次"), ("专题调研*次", "专题调研6次"),
        ("民主监督*次", "民主监督2次"), ("包括**件提案", "包括10件提案"),
    ]
    for placeholder, filled in counts:
        assert seed.count(placeholder) == 1
        seed = seed.replace(placeholder, filled)
    body = build_document(demo).paragraphs[1:-2]
    assert "\n".join(p.text for p in body) == seed.strip()


def test_eight_measures_print_where_the_sample_had_stars(demo):
    document = build_document(demo)
    runs = [run for p in document.paragraphs for run in p.runs if run.kind == "measure"]
    assert len(runs) == 8
    assert sorted(run.label for run in runs) == sorted(
        ["理论学习中心组学习会议", "集体交流研讨", "廉政谈话", "常委会协商", "双月协商", "专题调研", "民主监督", "提案"]
    )
    assert not [run for run in runs if run.missing]
    units = sorted(m.unit for m in Measure.objects.filter(values__report=demo))
    assert units == ["人次", "件"] + ["次"] * 6


def test_renaming_a_measure_changes_no_text_and_a_new_value_shows_everywhere(demo):
    measure = Measure.objects.get(name="廉政谈话")
    before = [item.text for item in demo.sections.get(position=1).items.all()]
    measure.name = "廉政谈话提醒"
    measure.save()
    demo.measure_values.filter(measure=measure).update(value=Decimal("31"))
    assert [item.text for item in demo.sections.get(position=1).items.all()] == before
    assert "开展廉政谈话31人次" in build_document(demo).text


def test_a_measure_without_value_is_marked_missing(report_factory, measure_factory, tree):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", [])])
    measure = measure_factory(report, "学习会议", value=None)
    item_section = report.sections.get()
    item_section.items.create(text=f"召开学习会议{token(measure.id)}。", position=1)
    document = build_document(report)
    missing = [run for paragraph in document.paragraphs for run in paragraph.runs if run.missing]
    assert [(run.text, run.label) for run in missing] == [("未填写", "学习会议")]
    assert "召开学习会议未填写次。" in document.text


def test_headings_take_a_final_full_stop_only_when_text_runs_on(report_factory, tree):
    report = report_factory(
        tree["cppcc"],
        sections=[("主要做法。", "practices", [("深化理论学习。", ["学习。"]), ("只有标题", []), ("有问号吗？", ["是。"])])],
        signature_name="", signature_date=None,
    )
    texts = [p.text for p in build_document(report).paragraphs]
    assert texts[1:] == ["一、主要做法", "（一）深化理论学习。一是学习。", "（二）只有标题", "（三）有问号吗？一是是。"]


def test_one_paragraph_per_item_and_leads(report_factory, tree):
    report = report_factory(
        tree["cppcc"],
        sections=[
            ("主要做法", "practices", [("深化理论学习", ["学习甲。", "学习乙。"])]),
            ("存在的主要问题", "problems", ["问题甲。", "问题乙。"]),
        ],
        items_layout=Report.ItemsLayout.PARAGRAPHS, signature_name="", signature_date=None,
    )
    heading = report.sections.get(position=1).headings.get()
    heading.lead = "全年围绕中心。"
    heading.save()
    problems = report.sections.get(position=2)
    problems.lead = "对照检查，主要有以下问题。"
    problems.save()
    document = build_document(report)
    assert [(p.kind, p.text) for p in document.paragraphs[1:]] == [
        (Kind.SECTION, "一、主要做法"),
        (Kind.HEADING, "（一）深化理论学习。全年围绕中心。"),
        (Kind.ITEM, "一是学习甲。"),
        (Kind.ITEM, "二是学习乙。"),
        (Kind.SECTION, "二、存在的主要问题"),
        (Kind.BODY, "对照检查，主要有以下问题。"),
        (Kind.ITEM, "一是问题甲。"),
        (Kind.ITEM, "二是问题乙。"),
    ]
    # The same report inline: lead and items run on in one paragraph.
    report.items_layout = Report.ItemsLayout.INLINE
    texts = [p.text for p in build_document(report).paragraphs[1:]]
    assert texts == ["一、主要做法", "（一）深化理论学习。全年围绕中心。一是学习甲。二是学习乙。",
                     "二、存在的主要问题", "对照检查，主要有以下问题。一是问题甲。二是问题乙。"]


def test_numbering_follows_position_not_stored_numbers(report_factory, tree):
    report = report_factory(tree["cppcc"], sections=[("甲", "other", []), ("乙", "other", [])],
                            signature_name="", signature_date=None)
    first, second = report.sections.all()
    first.position, second.position = 20, 10
    first.save()
    second.save()
    assert [p.text for p in build_document(report).paragraphs[1:]] == ["一、乙", "二、甲"]


def test_runs_carry_the_typeface_of_their_level(demo):
    paragraphs = build_document(demo).paragraphs
    assert {run.role for run in paragraphs[0].runs} == {Role.TITLE}
    assert {run.role for run in paragraphs[2].runs} == {Role.HEADING1}
    heading = paragraphs[3]
    assert [run.role for run in heading.runs[:2]] == [Role.HEADING2, Role.HEADING2]
    assert {run.role for run in heading.runs[2:]} == {Role.BODY}


def test_addressee_closing_and_date(report_factory, tree):
    report = report_factory(tree["cppcc"], addressee="市委：", opening="按要求，现报告如下。", closing="特此报告。",
                            signature_name="中共某市政协党组", signature_date=date(2023, 4, 1))
    texts = [(p.kind, p.text) for p in build_document(report).paragraphs]
    assert texts[1:] == [(Kind.ADDRESSEE, "市委："), (Kind.OPENING, "按要求，现报告如下。"), (Kind.CLOSING, "特此报告。"),
                         (Kind.SIGNATURE, "中共某市政协党组"), (Kind.DATE, "2023年4月1日")]


def test_document_loads_in_constant_queries(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        build_document(demo)


def test_a_deleted_paragraph_is_one_removal_not_edits_of_the_ones_after_it():
    from reports.document.diffing import diff_paragraphs

    def paragraphs(*texts):
        return [{"kind": "item", "ref": f"item-{n}", "text": text} for n, text in enumerate(texts)]

    old = paragraphs("标题", "一是加强理论学习，召开学习会议3次。", "二是开展专题调研，形成报告2篇。",
                     "三是强化监督执纪，开展谈话15人次。", "特此报告。")
    new = paragraphs("标题", "一是开展专题调研，形成报告2篇。", "二是强化监督执纪，开展谈话15人次。", "特此报告。")
    result = diff_paragraphs(old, new)
    assert [(p["text"], p.get("removed", False)) for p in result if p["changed"]] == [
        ("一是加强理论学习，召开学习会议3次。", True), ("一是开展专题调研，形成报告2篇。", False),
        ("二是强化监督执纪，开展谈话15人次。", False)]
    renumbered = [p["segments"] for p in result if p["changed"] and not p.get("removed")]
    assert renumbered[0] == [("delete", "二"), ("insert", "一"), ("equal", "是开展专题调研，形成报告2篇。")]
