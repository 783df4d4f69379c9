"""Measure tokens: how an item's text refers to a count typed once in the measures panel.

A token names the measure by id, `{{measure:12}}`, so renaming a measure changes no text,
and the value (with its unit) is printed wherever the token stands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.models import Heading, Item, Report, Section

TOKEN_RE = re.compile(r"\{\{measure:(\d{1,18})\}\}")


@dataclass(frozen=True)
class MeasureInfo:
    """What the document needs to print a measure: no database object, so tests and the
    writer can build documents from plain data."""

    id: int
    name: str
    unit: str
    value: Decimal | None


def token(measure_id: int) -> str:
    return f"{{{{measure:{int(measure_id)}}}}}"


def split_tokens(text: str) -> list[str | int]:
    """'会议{{measure:3}}，' → ['会议', 3, '，']: text parts and measure ids, in order."""
    parts = []
    position = 0
    for match in TOKEN_RE.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        parts.append(int(match.group(1)))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return parts


def referenced_ids(*texts: str) -> set[int]:
    return {int(match) for text in texts if text for match in TOKEN_RE.findall(text)}


# The texts in which a token stands for a count, by the record that holds them: the running
# text of the report (the addressee and opening, the leads, the items). There the document
# prints the value, the editor's forms show and take the measure by name, and the measure
# stays in the panel while a token refers to it. Titles, the closing and the signature are
# names and set phrases: a token there is plain text.
TOKEN_FIELDS = {
    "report": ("addressee", "opening"),
    "section": ("lead",),
    "heading": ("lead",),
    "item": ("text",),
}


def token_texts(report: Report, sections: Iterable[Section], headings: Iterable[Heading], items: Iterable[Item]) -> list[str]:
    """The report's texts that may hold tokens (TOKEN_FIELDS), from the report and its parts."""
    records = (("report", [report]), ("section", sections), ("heading", headings), ("item", items))
    return [getattr(record, field) for kind, objects in records for record in objects for field in TOKEN_FIELDS[kind]]


def format_value(value: Decimal | None) -> str:
    """3.00 → '3', 2.50 → '2.5': counts print as the drafter typed them."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


# In a form the drafter sees a measure by name, ｛廉政谈话｝; the database keeps its id.
# Full-width braces are not used in Chinese prose, so they cannot be confused with text.
NAME_RE = re.compile(r"｛([^｛｝\n]{1,100})｝")


class UnknownMeasure(ValueError):
    def __init__(self, names):
        super().__init__(", ".join(names))
        self.names = names


def tokens_to_names(text: str | None, names_by_id: dict[int, str]) -> str:
    """'{{measure:7}}' → '｛廉政谈话｝' for editing; a token of an unknown measure stays as it is."""

    def replace(match):
        name = names_by_id.get(int(match.group(1)))
        return f"｛{name}｝" if name else match.group(0)

    return TOKEN_RE.sub(replace, text or "")


def names_to_tokens(text: str | None, ids_by_name: dict[str, int]) -> str:
    """'｛廉政谈话｝' → '{{measure:7}}' on saving; names not in the report's panel are an error."""
    unknown = [name for name in NAME_RE.findall(text or "") if name.strip() not in ids_by_name]
    if unknown:
        raise UnknownMeasure(list(dict.fromkeys(unknown)))
    return NAME_RE.sub(lambda match: token(ids_by_name[match.group(1).strip()]), text or "")
