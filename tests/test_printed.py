"""Suggestions change printed text; the report keeps its figures as tokens (reports.review.printed)."""

from decimal import Decimal

import pytest

from reports.document.tokens import MeasureInfo
from reports.review.printed import rewrite

MEASURES = {7: MeasureInfo(7, "廉政谈话", "次", Decimal(3)), 8: MeasureInfo(8, "专题学习", "次", None)}
SOURCE = "开展廉政谈话{{measure:7}}，专题学习{{measure:8}}。"  # prints 开展廉政谈话3次，专题学习未填写次。


@pytest.mark.parametrize(("after", "text", "values", "dissolved"), [
    # words changed around the figures: both tokens stay
    ("深入开展廉政谈话3次，专题学习未填写次。", "深入开展廉政谈话{{measure:7}}，专题学习{{measure:8}}。", {}, []),
    # the figure's digits alone: the measure's new value, the token stays
    ("开展廉政谈话5次，专题学习未填写次。", SOURCE, {7: Decimal(5)}, []),
    ("开展廉政谈话35次，专题学习未填写次。", SOURCE, {7: Decimal(35)}, []),
    # a missing figure filled in
    ("开展廉政谈话3次，专题学习2次。", "开展廉政谈话{{measure:7}}，专题学习2次。", {}, [8]),
    # text typed right before and right after a figure stays outside it
    ("开展廉政谈话共3次以上，专题学习未填写次。", "开展廉政谈话共{{measure:7}}以上，专题学习{{measure:8}}。", {}, []),
    # the figure rewritten in words: plain text, as the leader wrote it
    ("开展廉政谈话多次，专题学习未填写次。", "开展廉政谈话多次，专题学习{{measure:8}}。", {}, [7]),
    # the figure deleted with its sentence
    ("专题学习未填写次。", "专题学习{{measure:8}}。", {}, [7]),
])
def test_a_printed_change_back_to_the_drafters_text(after, text, values, dissolved):
    result = rewrite(SOURCE, MEASURES, after, lines=False, settable={7})
    assert (result.text, result.values, result.dissolved) == (text, values, dissolved)


def test_a_missing_figure_filled_in_becomes_its_value_when_the_measure_is_in_the_panel():
    result = rewrite(SOURCE, MEASURES, "开展廉政谈话3次，专题学习2次。", lines=False, settable={7, 8})
    assert (result.text, result.values) == (SOURCE, {8: Decimal(2)})


def test_a_lead_keeps_its_lines():
    source = "第一段{{measure:7}}。\n\n第二段。"
    result = rewrite(source, MEASURES, "第一段3次。\n第二段改。", lines=True)
    assert result.text == "第一段{{measure:7}}。\n第二段改。"
