"""The text parts of a report, named by where they print (reports.document.parts)."""

from reports.document.model import build_document
from reports.document.parts import text_parts
from reports.models import Heading, Item, Section


def test_the_sample_reports_parts_are_named_by_their_printed_ordinals(demo):
    parts = text_parts(build_document(demo))
    labels = [part.label for part in parts]
    assert labels[:2] == ["标题", "开头"]  # the sample has no 主送机关
    assert labels[-2:] == ["署名", "成文日期"]
    assert len(labels) == len(set(labels)), "every part has its own label"
    first_section = Section.objects.filter(report=demo).order_by("position").first()
    heading = Heading.objects.filter(section=first_section).order_by("position").first()
    second_item = Item.objects.filter(heading=heading).order_by("position")[1]
    by_ref = {part.key: part for part in parts}
    assert by_ref[(f"section-{first_section.pk}", "title")].label == "一、"
    assert by_ref[(f"heading-{heading.pk}", "title")].label == "一、（一）"
    item = by_ref[(f"item-{second_item.pk}", "text")]
    assert item.label == "一、（一）二是"
    assert item.ordinal == "二是"
    # as printed: the measure's figure, not its token
    assert "{{" not in item.text and item.text.startswith(second_item.text[:4].split("{")[0])


def test_leads_items_in_a_section_and_the_date(report_factory, tree):
    report = report_factory(tree["cppcc"], sections=[
        ("主要做法", "practices", ["直接在部分中的一项。", ("学习", ["认真学习。", "深入调研。"])])])
    section = report.sections.get()
    section.lead = "部分导语第一段。\n部分导语第二段。"
    section.save()
    heading = Heading.objects.get(section=section)
    heading.lead = "小标题导语。"
    heading.save()
    parts = {part.label: part for part in text_parts(build_document(report))}
    assert parts["一、"].text == "主要做法"
    assert parts["一、导语"].text == "部分导语第一段。\n部分导语第二段。"
    assert parts["一、一是"].text == "直接在部分中的一项。"
    assert parts["一、（一）"].text == "学习。"  # run-in: the heading prints with its 。
    assert parts["一、（一）导语"].text == "小标题导语。"
    assert parts["一、（一）二是"].text == "深入调研。"
    assert parts["成文日期"].text == "2023年3月28日"
    assert parts["成文日期"].key == ("signature", "signature_date")
