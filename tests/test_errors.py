"""Refusals: every domain's named errors have the one shape of reports.errors.Refusal."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from reports.drafting.editing import EditRefused
from reports.errors import Refusal
from reports.review.comments import CommentRefused
from reports.review.workflow import NotPermitted, ReportIncomplete, WorkflowError
from reports.tracking.reminders import NotYetDue, ReminderRefused
from reports.word.importing.errors import ImportRefused


@pytest.mark.parametrize("family", [WorkflowError, CommentRefused, ReminderRefused, EditRefused, ImportRefused])
def test_each_family_is_a_refusal_with_message_and_code(family):
    refusal = family("不能这样做。")
    assert isinstance(refusal, Refusal)
    assert (refusal.message, str(refusal)) == ("不能这样做。", "不能这样做。")
    assert family("不能这样做。", "why_not").code == "why_not"


def test_a_refusal_names_its_case_by_default():
    assert (Refusal("x").code, WorkflowError("x").code, NotPermitted("x").code) == ("refused", "workflow", "not_permitted")
    assert (CommentRefused("x").code, ReminderRefused("x").code, NotYetDue("x").code) == ("refused", "refused", "not_yet_due")
    incomplete = ReportIncomplete("还有 1 处需要填写。", ["problem"])
    assert (incomplete.code, incomplete.problems, str(incomplete)) == ("incomplete", ["problem"], "还有 1 处需要填写。")


def test_a_lazy_message_is_read_in_the_readers_language():
    refusal = Refusal(gettext_lazy("系统"))  # locale/en: "System"
    with translation.override("en"):
        assert str(refusal) == "System"
    with translation.override("zh-hans"):
        assert str(refusal) == "系统"
