"""Suggestions: a reviewer proposes, the drafter accepts or rejects (reports.review.suggestions)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reports.document.model import build_document
from reports.document.parts import parts_by_label
from reports.document.tokens import token
from reports.models import Item, MeasureValue, Report, Suggestion
from reports.review import suggestions, workflow
from reports.review.suggestions import SuggestionRefused
from reports.review.timeline import timeline_entries
from tests.fixtures import LATE_REASON


@pytest.fixture
def submitted(complete_report, measure_factory, drafter):
    measure = MeasureValue.objects.get(report=complete_report).measure
    item = Item.objects.filter(section__report=complete_report, heading__isnull=False).get()
    item.text = f"认真学习，召开会议{token(measure.pk)}。"
    item.save()
    workflow.perform(workflow.SUBMIT, complete_report, actor=drafter, comment=LATE_REASON)
    return Report.objects.get(pk=complete_report.pk)


def returned(report, reviewer):
    workflow.perform(workflow.RETURN, report, actor=reviewer, comment="请按建议修改。")
    return Report.objects.get(pk=report.pk)


def part(report, label):
    return parts_by_label(build_document(report))[label]


def test_a_suggestion_is_proposed_not_applied(submitted, reviewer):
    before = part(submitted, "一、（一）一是")
    made = suggestions.suggest(user=reviewer, report=submitted, ref=before.ref, field="text",
                               after="认真学习，深入研讨，召开会议3次。")
    assert (made.label, made.before, made.author_name) == ("一、（一）一是", "认真学习，召开会议3次。", "reviewer")
    assert part(submitted, "一、（一）一是").text == before.text  # nothing applied
    # the same reviewer again on the same part: one suggestion, the newer text
    again = suggestions.suggest(user=reviewer, report=submitted, ref=before.ref, field="text", after="认真学习。")
    assert again.pk == made.pk and Suggestion.objects.get().after == "认真学习。"


def test_accepting_keeps_the_figure_and_rejecting_changes_nothing(submitted, reviewer, drafter):
    item = part(submitted, "一、（一）一是")
    title = part(submitted, "一、（一）")
    keep = suggestions.suggest(user=reviewer, report=submitted, ref=item.ref, field="text", after="认真学习，召开会议5次。")
    drop = suggestions.suggest(user=reviewer, report=submitted, ref=title.ref, field="title", after="政治学习。")
    report = returned(submitted, reviewer)
    suggestions.accept(user=drafter, report=report, suggestion_id=keep.pk)
    suggestions.reject(user=drafter, report=report, suggestion_id=drop.pk)
    report.refresh_from_db()
    assert part(report, "一、（一）一是").text == "认真学习，召开会议5次。"
    stored = Item.objects.get(pk=int(item.ref.split("-")[1]))
    assert "{{measure:" in stored.text, "the figure is still the measure, now 5"
    assert MeasureValue.objects.get(report=report).value == Decimal(5)
    assert part(report, "一、（一）").text == "学习。"
    assert dict(Suggestion.objects.values_list("pk", "status")) == {keep.pk: "accepted", drop.pk: "rejected"}
    trail = [entry.what for entry in timeline_entries(report)]
    assert any("接受reviewer的修改建议" in what for what in trail)


def test_a_part_changed_since_is_a_conflict_never_applied(submitted, reviewer, drafter):
    item = part(submitted, "一、（一）一是")
    first = suggestions.suggest(user=reviewer, report=submitted, ref=item.ref, field="text", after="甲。")
    report = returned(submitted, reviewer)
    obj = Item.objects.get(pk=int(item.ref.split("-")[1]))
    obj.text = "起草人自己改过了。"
    obj.save()
    shown = suggestions.open_suggestions(report)
    assert [(s.state, s.current) for s in shown] == [("changed", "起草人自己改过了。")]
    with pytest.raises(SuggestionRefused):
        suggestions.accept(user=drafter, report=report, suggestion_id=first.pk)
    assert Item.objects.get(pk=obj.pk).text == "起草人自己改过了。"


def test_two_suggestions_on_one_part_are_shown_as_a_conflict(submitted, reviewer, make_user, tree, drafter):
    from reports.models import Membership

    second_reviewer = make_user("r2", organization=tree["cppcc"], role=Membership.Role.REVIEWER)
    item = part(submitted, "一、（一）一是")
    one = suggestions.suggest(user=reviewer, report=submitted, ref=item.ref, field="text", after="甲。")
    suggestions.suggest(user=second_reviewer, report=submitted, ref=item.ref, field="text", after="乙。")
    report = returned(submitted, reviewer)
    assert [s.state for s in suggestions.open_suggestions(report)] == ["several", "several"]
    with pytest.raises(SuggestionRefused):
        suggestions.accept(user=drafter, report=report, suggestion_id=one.pk)


def test_only_the_reviewer_suggests_and_only_the_drafter_decides(submitted, reviewer, drafter):
    item = part(submitted, "一、（一）一是")
    with pytest.raises(SuggestionRefused):
        suggestions.suggest(user=drafter, report=submitted, ref=item.ref, field="text", after="甲。")
    made = suggestions.suggest(user=reviewer, report=submitted, ref=item.ref, field="text", after="甲。")
    with pytest.raises(SuggestionRefused):  # submitted: nobody edits, so nobody accepts
        suggestions.accept(user=drafter, report=submitted, suggestion_id=made.pk)
    report = returned(submitted, reviewer)
    with pytest.raises(SuggestionRefused):
        suggestions.accept(user=reviewer, report=report, suggestion_id=made.pk)


def test_accepting_a_deleted_item_deletes_it(submitted, reviewer, drafter):
    item = part(submitted, "一、（一）一是")
    made = suggestions.suggest(user=reviewer, report=submitted, ref=item.ref, field="text", after="")
    report = returned(submitted, reviewer)
    suggestions.accept(user=drafter, report=report, suggestion_id=made.pk)
    assert not Item.objects.filter(pk=int(item.ref.split("-")[1])).exists()


def test_the_pages(client, submitted, reviewer, drafter):
    item = part(submitted, "一、（一）一是")
    client.force_login(reviewer)
    review_url = reverse("reports:review", args=[submitted.pk])
    page = client.get(review_url).content.decode()
    assert f'hx-get="{reverse("reports:suggest", args=[submitted.pk, item.ref])}"' in page
    box = client.get(reverse("reports:suggest", args=[submitted.pk, item.ref])).content.decode()
    assert "修改 一、（一）一是" in box and "认真学习，召开会议3次。" in box
    response = client.post(reverse("reports:suggest", args=[submitted.pk, item.ref]),
                           {"after-text": "认真学习，召开会议4次。"}, follow=True)
    page = response.content.decode()
    assert "修改建议已保存" in page and "<ins>4</ins>" in page and "<del>3</del>" in page
    returned(submitted, reviewer)
    client.force_login(drafter)
    editor = client.get(reverse("reports:edit", args=[submitted.pk])).content.decode()
    assert 'data-testid="suggestion"' in editor and "接受" in editor
    suggestion = Suggestion.objects.get()
    response = client.post(reverse("reports:suggestion_accept", args=[submitted.pk, suggestion.pk]), follow=True)
    assert "已接受一、（一）一是的修改建议" in response.content.decode()
    assert MeasureValue.objects.get(report=submitted).value == Decimal(4)
    # a stale page's second click: said, nothing changed
    response = client.post(reverse("reports:suggestion_accept", args=[submitted.pk, suggestion.pk]), follow=True)
    assert "这条修改建议已处理" in response.content.decode()


def test_an_accepted_heading_title_keeps_the_printers_full_stop_out_of_the_title(submitted, reviewer, drafter):
    from reports.models import Heading

    title = part(submitted, "一、（一）")
    made = suggestions.suggest(user=reviewer, report=submitted, ref=title.ref, field="title", after="政治学习。")
    report = returned(submitted, reviewer)
    suggestions.accept(user=drafter, report=report, suggestion_id=made.pk)
    assert Heading.objects.get(pk=int(title.ref.split("-")[1])).title == "政治学习"
    assert part(report, "一、（一）").text == "政治学习。"
