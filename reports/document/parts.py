"""A document's text parts as a reader names them: by where they print, with their ordinals.

A leader writes "一、（一）二是 改为……", a Word file holds the printed text, and the check and
the suggestions speak of the same places. Each `TextPart` is one thing a drafter edits in one
box: a title, a lead, an item, the addressee, the date. Its `label` is made of the printed
ordinals, without spaces:

    一、          a section's title          一、导语          the section's lead
    一、（一）    a heading's title          一、（一）导语    the heading's lead
    一、（一）二是  an item under a heading    二、一是          an item directly in a section
    标题 主送机关 开头 结束语 署名 成文日期  the report's own parts

Its `text` is the part as printed, without its ordinal (figures as their values, a run-in
heading with its "。"); a lead or opening of several paragraphs has them one a line.
Everything is read from a `Document`, so a live report and a frozen submission give the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.document.model import Document, Kind, Role

LEAD = "导语"
# The report's own parts: (ref in the document, the paragraph kind, the field edited, its label).
OWN_PARTS = {
    Kind.TITLE: ("title", "title", "标题"),
    Kind.ADDRESSEE: ("addressee", "addressee", "主送机关"),
    Kind.OPENING: ("opening", "opening", "开头"),
    Kind.CLOSING: ("closing", "closing", "结束语"),
    Kind.SIGNATURE: ("signature", "signature_name", "署名"),
    Kind.DATE: ("signature", "signature_date", "成文日期"),
}
TITLE_ROLES = (Role.HEADING1, Role.HEADING2)
# The parts whose text runs over lines (a lead, the opening: one paragraph a line); any other part
# is one line (an item's lines join up, a title is one).
LINE_FIELDS = ("lead", "opening")


@dataclass(frozen=True)
class TextPart:
    label: str  # "一、（一）二是"
    ref: str  # the part of the editor: "item-12", "heading-5", "section-3", "title", "signature"
    field: str  # what of it: "text", "title", "lead", "opening", "signature_date" …
    ordinal: str  # as printed before it ("二是", "（一）", "一、"), "" for a lead or the report's own parts
    text: str  # as printed, without the ordinal

    @property
    def key(self) -> tuple[str, str]:
        return self.ref, self.field


class _Builder:
    def __init__(self):
        self.parts: dict[tuple[str, str], dict] = {}
        self.section = self.heading = ""

    def add(self, ref, field, label, text, ordinal="", *, new_paragraph=False):
        part = self.parts.get((ref, field))
        if part is None:
            self.parts[(ref, field)] = {"label": label, "ref": ref, "field": field, "ordinal": ordinal,
                                        "lines": [text]}
        elif new_paragraph:
            part["lines"].append(text)
        else:
            part["lines"][-1] += text

    def build(self) -> list[TextPart]:
        return [TextPart(part["label"], part["ref"], part["field"], part["ordinal"], "\n".join(part["lines"]))
                for part in self.parts.values()]


def field_of(ref: str, run_role: str) -> str:
    """Which of a section's or heading's fields a run prints (its title, or its lead); an item's text."""
    if ref.startswith(("section-", "heading-")):
        return "title" if run_role in TITLE_ROLES else "lead"
    return "text"


def run_keys(document: Document) -> list[list[tuple[str, str] | None]]:
    """For each paragraph, for each run, the key (ref, field) of the part it prints in; None for
    a run in no part (the 附件说明). The one rule of which text is which part's."""
    keys = []
    for paragraph in document.paragraphs:
        own = OWN_PARTS.get(paragraph.kind)
        if own is not None:
            keys.append([(own[0], own[1])] * len(paragraph.runs))
        elif paragraph.kind == Kind.ATTACHMENTS:
            keys.append([None] * len(paragraph.runs))
        else:
            keys.append([(run.ref, field_of(run.ref, run.role)) if run.ref else None for run in paragraph.runs])
    return keys


def text_parts(document: Document, *, empty: bool = False) -> list[TextPart]:
    """The document's text parts in print order (the 附件说明, which nobody edits, left out).
    `empty`: also an item, heading or section that prints its ordinal and no text (with text "")."""
    builder = _Builder()
    for paragraph, keys in zip(document.paragraphs, run_keys(document), strict=True):
        own = OWN_PARTS.get(paragraph.kind)
        if own is not None:
            ref, field, label = own
            builder.add(ref, field, label, paragraph.text, new_paragraph=True)
            continue
        first_of = set()  # the parts this paragraph has started a line of
        ordinal = ""
        for run, key in zip(paragraph.runs, keys, strict=True):
            if key is None:
                continue
            if run.kind == "ordinal":
                ordinal = run.text
                if run.ref.startswith("section-"):
                    builder.section, builder.heading = run.text, ""
                elif run.ref.startswith("heading-"):
                    builder.heading = run.text
                if empty:
                    builder.add(run.ref, key[1], _label(builder, run.ref, key[1], ordinal), "", ordinal)
                    first_of.add(key)
                continue
            field = key[1]
            part_ordinal = "" if field == "lead" else ordinal
            builder.add(run.ref, field, _label(builder, run.ref, field, ordinal), run.text, part_ordinal,
                        new_paragraph=key not in first_of)
            first_of.add(key)
    return builder.build()


def _label(builder, ref, field, ordinal):
    heading = builder.heading if ref.startswith("heading-") else ""
    if field == "lead":
        return f"{builder.section}{heading}{LEAD}"
    if field == "title":
        return builder.section + heading
    return f"{builder.section}{builder.heading}{ordinal}"


def parts_by_key(document: Document) -> dict[tuple[str, str], TextPart]:
    return {part.key: part for part in text_parts(document)}


def parts_by_label(document: Document) -> dict[str, TextPart]:
    return {part.label: part for part in text_parts(document)}
