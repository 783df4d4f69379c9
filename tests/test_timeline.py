"""A report's timeline: what it says, in the reader's language."""

from django.utils import translation

from reports.models import Item
from reports.review.timeline import timeline_entries


def edits(report, language):
    with translation.override(language):
        return [(entry.what, entry.who) for entry in timeline_entries(report) if entry.kind == "edit"]


def test_the_timeline_speaks_the_readers_language(report_factory, tree):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["认真学习。"])])
    item = Item.objects.get(section__report=report)
    item.text = "认真学习，及时总结。"
    item.save()

    # English from locale/en (context "timeline"): a change and the part, two words.
    english = edits(report, "en")
    assert {("Changed item", "System"), ("Added item", "System"), ("Added section", "System")} <= set(english)
    assert {who for _what, who in english} == {"System"}

    chinese = edits(report, "zh-hans")
    assert ("修改条目", "系统") in chinese and ("新增部分", "系统") in chinese


def test_the_legend_of_changes_says_what_was_done(client, report_factory, tree, drafter):
    """The legend's two marks are past changes (Added, Deleted), not the editor's Delete button."""
    from django.urls import reverse

    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["认真学习。"])])
    client.force_login(drafter)
    page = client.get(reverse("reports:timeline", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<ins>Added</ins> <del>Deleted</del>" in page


def test_a_figure_in_the_text_is_shown_by_its_name(report_factory, measure_factory, tree):
    """The timeline shows an edited text as the form does: 包括｛重点提案｝提案, not 包括□提案."""
    from reports.document.tokens import token

    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["形成了包括提案的名单。"])])
    measure = measure_factory(report, "重点提案", unit="件", value=10)
    item = Item.objects.get(section__report=report)
    item.text = f"形成了包括{token(measure.id)}提案的名单。"
    item.save()
    details = [" ".join(text for _op, text in entry.segments) + entry.detail for entry in timeline_entries(report)]
    assert any("｛重点提案｝" in detail for detail in details)
    assert not any("□" in detail for detail in details)


def test_a_copy_starts_with_one_entry_and_its_first_change_shows_what_changed(report_factory, tree, drafter):
    """The parts a copy starts with are not a "新增" each; a copied item edited later is shown as
    the change from the copied text."""
    from reports.drafting.starting import start_report

    source = report_factory(tree["cppcc"], sections=[
        ("主要做法", "practices", [("深化理论学习", ["认真学习。"])]), ("存在的主要问题", "problems", ["学习不够深入。"]),
    ])
    copy = start_report(user=drafter, organization=source.organization, year=2023, quarter=2, copy_from=source)
    item = Item.objects.get(section__report=copy, text="认真学习。")
    item.text = "认真学习，及时总结。"
    item.save()

    entries = [entry for entry in timeline_entries(copy) if entry.kind == "edit"]
    with translation.override("zh-hans"):
        whats = [entry.what for entry in timeline_entries(copy) if entry.kind == "edit"]
    assert whats == ["修改条目", "开始起草"]
    change = entries[0]
    assert ("insert", "，及时总结") in change.segments and not change.detail
    with translation.override("en"):
        assert [entry.what for entry in timeline_entries(copy)][-1] == "Started the draft"
