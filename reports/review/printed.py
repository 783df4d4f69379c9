"""From printed text back to what the drafter typed: a suggestion changes the text as it prints
(figures as their values), the report keeps tokens (`{{measure:7}}`) where figures stand.

A figure left as it was keeps its token; a figure whose digits alone were changed ("3次" →
"5次") keeps its token and gives the measure its new value, which is what the leader meant; a
figure edited together with the words around it becomes plain text, as the leader wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from reports.document.model import MISSING_VALUE, item_text, paragraph_texts
from reports.document.tokens import MeasureInfo, format_value, split_tokens, token

NUMBER_RE = re.compile(r"\d{1,12}(\.\d{1,6})?")


@dataclass
class Rewritten:
    text: str  # the new source text
    values: dict[int, Decimal] = field(default_factory=dict)  # measures given a new value in place
    dissolved: list[int] = field(default_factory=list)  # measures whose token became plain text


@dataclass(frozen=True)
class _Figure:
    measure_id: int
    start: int  # of the value in the printed text
    value_end: int
    end: int  # after the unit


def normalised(source: str, *, lines: bool) -> str:
    """The source as the document prints its lines: a lead's paragraphs one a line, an item one line."""
    return "\n".join(paragraph_texts(source)) if lines else item_text(source)


def printed(source: str, measures: dict[int, MeasureInfo], *, lines: bool) -> tuple[str, list[_Figure]]:
    """The text as printed (reports.document.model.text_runs) and where each figure stands in it."""
    out, figures = [], []
    length = 0
    for part in split_tokens(normalised(source, lines=lines)):
        if isinstance(part, str):
            out.append(part)
            length += len(part)
            continue
        info = measures.get(part)
        value = MISSING_VALUE if info is None or info.value is None else format_value(info.value)
        unit = info.unit if info is not None else ""
        out.append(value + unit)
        figures.append(_Figure(part, length, length + len(value), length + len(value) + len(unit)))
        length += len(value) + len(unit)
    return "".join(out), figures


class _Map:
    """Positions in the printed text → positions in the new text, along the diff's opcodes."""

    def __init__(self, old: str, new: str):
        self.opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()

    def touched(self, start: int, end: int) -> bool:
        """Whether any change falls inside [start, end): an insertion strictly inside counts."""
        for tag, a1, a2, _b1, _b2 in self.opcodes:
            if tag == "equal":
                continue
            if tag == "insert" and start < a1 < end:
                return True
            if tag != "insert" and a1 < end and a2 > start:
                return True
        return False

    def position(self, i: int, *, inserted_before: bool) -> int | None:
        """Where boundary i lands; text inserted at i counts as before it when `inserted_before`
        (so a figure's end takes digits typed right after it) and as after it otherwise."""
        for tag, a1, _a2, b1, b2 in self.opcodes:
            if tag == "insert" and a1 == i:
                return b2 if inserted_before else b1
        for tag, a1, a2, b1, b2 in self.opcodes:
            if tag == "equal" and a1 <= i <= a2:
                return b1 + i - a1
            if i == a1:
                return b1
            if i == a2:
                return b2
        return None


def _number(text: str) -> Decimal | None:
    if not NUMBER_RE.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def rewrite(source: str, measures: dict[int, MeasureInfo], after: str, *, lines: bool,
            settable: set[int] = frozenset()) -> Rewritten:
    """The source text that prints as `after`. `settable`: the measures whose value may change
    (those in the report's panel); any other figure that was changed becomes plain text."""
    after = after if lines else after.replace("\n", "")
    old, figures = printed(source, measures, lines=lines)
    mapping = _Map(old, after)
    result = Rewritten(text="")
    kept = []  # (start, end in `after`, measure id)
    for figure in figures:
        # Text typed right before a figure stands before it, text typed right after it after it.
        start = mapping.position(figure.start, inserted_before=True)
        if not mapping.touched(figure.start, figure.end):
            end = mapping.position(figure.end, inserted_before=False)
            if start is not None and end is not None:
                kept.append((start, end, figure.measure_id))
                continue
        elif figure.measure_id in settable and not mapping.touched(figure.value_end, figure.end):
            value_end = mapping.position(figure.value_end, inserted_before=True)
            unit_end = mapping.position(figure.end, inserted_before=False)
            value = _number(after[start:value_end]) if None not in (start, value_end) else None
            unchanged_unit = unit_end is not None and value_end is not None and (
                after[value_end:unit_end] == old[figure.value_end:figure.end])
            earlier = result.values.get(figure.measure_id)
            if value is not None and unchanged_unit and earlier in (None, value):
                result.values[figure.measure_id] = value
                kept.append((start, unit_end, figure.measure_id))
                continue
        result.dissolved.append(figure.measure_id)
    pieces, position = [], 0
    for start, end, measure_id in sorted(kept):
        pieces += [after[position:start], token(measure_id)]
        position = end
    pieces.append(after[position:])
    result.text = "".join(pieces)
    return result
