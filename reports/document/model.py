"""The one rendering model of a report: ordered, typed paragraphs made of runs.

The HTML preview and the Word writer both consume `Document`, so what a drafter sees is
what prints. `compose_document` is pure (plain data in, document out); `build_document`
loads a report from the database in a constant number of queries and calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING

from reports.document.numbering import heading_ordinal, item_ordinal, section_ordinal
from reports.document.text import clause
from reports.document.tokens import MeasureInfo, format_value, referenced_ids, split_tokens, token_texts

if TYPE_CHECKING:
    from reports.models import Heading, Item, MeasureValue, Report, Section


class Role:
    """The typeface a run is printed in (GB/T 9704): the Word writer maps these to fonts."""

    TITLE = "title"  # 方正小标宋简体 2号
    HEADING1 = "heading1"  # 黑体 3号
    HEADING2 = "heading2"  # 楷体 3号
    BODY = "body"  # 仿宋 3号


class Kind:
    """What a paragraph is, in print order."""

    TITLE = "title"
    ADDRESSEE = "addressee"
    OPENING = "opening"
    SECTION = "section"  # 一、主要做法
    HEADING = "heading"  # （一）… with its run-in lead and, inline, its items
    BODY = "body"  # a lead, or a section's inline items
    ITEM = "item"  # one item, when items are one paragraph each
    CLOSING = "closing"
    ATTACHMENTS = "attachments"  # 附件：1.…, one paragraph an attachment (GB/T 9704 7.3.4)
    SIGNATURE = "signature"
    DATE = "date"


MISSING_VALUE = "未填写"
RUN_IN_END = "。"
# A heading title that already ends in one of these keeps it; "。" is added only for run-in text.
TERMINAL_PUNCTUATION = "。.！!？?；;：:"
# GB/T 9704 7.3.4: the 附件说明 stands two characters in; its names carry no final punctuation.
ATTACHMENTS_LABEL = "附件："
ATTACHMENTS_INDENT = 2


@dataclass(frozen=True)
class Run:
    text: str
    role: str = Role.BODY
    # "text", "ordinal" (一、 （一） 一是), or "measure" (a count printed from the panel)
    kind: str = "text"
    measure_id: int | None = None
    missing: bool = False  # a measure without a value
    label: str = ""  # the measure's name, for a tooltip
    ref: str = ""  # the part it belongs to, e.g. "item-12", so a page can link to it


@dataclass(frozen=True)
class Paragraph:
    kind: str
    runs: tuple
    ref: str = ""  # "section-3", "heading-5", "item-12": where it is edited

    @property
    def text(self):
        return "".join(run.text for run in self.runs)

    def groups(self):
        """Consecutive runs of one part: [("heading-5", runs), ("item-12", runs), …].

        The editor makes each group one clickable part; the check panel links to it."""
        grouped = []
        for run in self.runs:
            if grouped and grouped[-1][0] == run.ref:
                grouped[-1][1].append(run)
            else:
                grouped.append((run.ref, [run]))
        return [(ref, tuple(runs)) for ref, runs in grouped]


# The stamp an unfinished version prints with, in the page's corner and the Word file's header:
# a draft, then the version sent for review; an approved report has none.
DRAFT_MARK, REVIEW_MARK = "草稿", "送审稿"


def mark_for(status: str) -> str:
    """The stamp of a report in this status: 草稿 (draft, returned), 送审稿 (submitted), none (approved)."""
    return {"approved": "", "accepted": "", "submitted": REVIEW_MARK}.get(status, DRAFT_MARK)


@dataclass
class Document:
    paragraphs: list = field(default_factory=list)  # the title is the first, of Kind.TITLE
    mark: str = DRAFT_MARK  # the stamp it prints with (mark_for), "" once approved
    sealed: bool = True  # the signature block's layout (GB/T 9704 7.3.5)

    @property
    def is_final(self) -> bool:
        return not self.mark

    @property
    def text(self):
        return "\n".join(paragraph.text for paragraph in self.paragraphs)

    @property
    def signature_indents(self):
        """Right indents, in characters, of 署名 and 成文日期 (GB/T 9704 7.3.5).

        Sealed: the date 4 characters from the right, the name centred above the date.
        Unsealed: the name 2 characters from the right, the date starting 2 characters right of it."""
        name = next((p.text for p in self.paragraphs if p.kind == Kind.SIGNATURE), "")
        date = next((p.text for p in self.paragraphs if p.kind == Kind.DATE), "")
        name_width, date_width = text_width(name), text_width(date)
        if self.sealed:
            return max(0, 4 + (date_width - name_width) / 2), 4
        return 2, max(0, 2 + name_width - 2 - date_width)

    @property
    def attachment_number_width(self) -> float:
        """Characters from an attachment's number to its name: "1." and a gap, wider for "10.";
        none for a single attachment, which has no number (GB/T 9704 7.3.4)."""
        count = sum(paragraph.kind == Kind.ATTACHMENTS for paragraph in self.paragraphs)
        return 0 if count < 2 else (len(str(count)) + 1) / 2

    @property
    def attachment_indents(self):
        """Indents, in characters, of the 附件说明: where "附件：" starts, where the numbers stand
        (under "1."), and where every name starts and a long one wraps (under its first character)."""
        numbers = ATTACHMENTS_INDENT + text_width(ATTACHMENTS_LABEL)
        return ATTACHMENTS_INDENT, numbers, numbers + self.attachment_number_width

    @property
    def signature_indent(self):
        return self.signature_indents[0]

    @property
    def date_indent(self):
        return self.signature_indents[1]


def text_width(text: str) -> float:
    """Width in characters of 3号: a half-width character (a digit, a Latin letter) is half."""
    return sum(0.5 if ord(ch) < 0x2000 else 1 for ch in text)


def format_date(value: date) -> str:
    """GB/T 9704: Arabic numerals, full year, no zero padding: 2023年4月10日."""
    return f"{value.year}年{value.month}月{value.day}日"


def section_title(title: str) -> str:
    """Level-1 titles carry no final punctuation."""
    return title.strip().rstrip("。.")


def heading_title(title: str, *, run_in: bool) -> str:
    """A heading followed by text in its paragraph ends in "。"; one standing alone does not."""
    title = title.strip()
    bare = title.rstrip("。.")
    if not run_in:
        return bare
    if bare and bare[-1] in TERMINAL_PUNCTUATION:
        return bare
    return bare + RUN_IN_END


def paragraph_texts(text: str | None) -> list[str]:
    """A lead or opening may hold several paragraphs, one a line; blank lines are not paragraphs."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def item_text(text: str | None) -> str:
    """An item is one run of text: line breaks inside it join up (Chinese needs no spaces)."""
    return "".join(line.strip() for line in (text or "").splitlines())


def text_runs(text: str, measures: dict, *, ref: str) -> list[Run]:
    """Body text with its measure tokens replaced by the value and unit of the measure."""
    runs = []
    for part in split_tokens(text):
        if isinstance(part, str):
            runs.append(Run(part, ref=ref))
            continue
        info = measures.get(part)
        if info is None or info.value is None:
            runs.append(
                Run(MISSING_VALUE, kind="measure", measure_id=part, missing=True,
                    label=info.name if info else "", ref=ref)
            )
        else:
            runs.append(Run(format_value(info.value), kind="measure", measure_id=part,
                            label=info.name, ref=ref))
        if info is not None and info.unit:
            runs.append(Run(info.unit, ref=ref))
    return runs


def attachment_name(title: str) -> str:
    """An evidence title as the 附件说明 prints it: one line, without final punctuation."""
    return clause(title).rstrip(TERMINAL_PUNCTUATION)


def attachment_paragraphs(titles: Iterable[str]) -> list[Paragraph]:
    """The 附件说明 (GB/T 9704 7.3.4): "附件：名称" for one file; "附件：1.名称", "2.名称" … for
    several, numbered with Arabic numerals. Its runs belong to no part: nothing in it is edited."""
    names = [name for name in map(attachment_name, titles) if name]
    if len(names) == 1:
        return [Paragraph(Kind.ATTACHMENTS, (Run(ATTACHMENTS_LABEL), Run(names[0])))]
    paragraphs = []
    for number, name in enumerate(names, 1):
        runs = (Run(f"{number}.", kind="ordinal"), Run(name))
        paragraphs.append(Paragraph(Kind.ATTACHMENTS, (Run(ATTACHMENTS_LABEL), *runs) if number == 1 else runs))
    return paragraphs


def place_attachments(document: Document, titles: Iterable[str]) -> Document:
    """The 附件说明 into a composed document: below the body, its closing (特此报告。) included,
    and above the signature and date (GB/T 9704 7.3.4, 7.3.5)."""
    paragraphs = document.paragraphs
    tail = next((index for index, paragraph in enumerate(paragraphs) if paragraph.kind in (Kind.SIGNATURE, Kind.DATE)),
                len(paragraphs))
    paragraphs[tail:tail] = attachment_paragraphs(titles)
    return document


def _item_ref(item) -> str:
    """An item's part: "item-12"; a generated item names what it is printed from ("problem-3")."""
    return getattr(item, "ref", "") or f"item-{item.id}"


def _item_runs(index, item, measures):
    ref = _item_ref(item)
    return [Run(item_ordinal(index), Role.BODY, kind="ordinal", ref=ref),
            *text_runs(item_text(item.text), measures, ref=ref)]


def _block(head, lead, items, *, inline, measures, ref, lead_ref):
    """One heading (or a section's own text): its lead, then its items.

    Inline (as in the sample): the heading, the last lead paragraph and all items share one
    paragraph. One paragraph per item: the heading keeps its run-in lead, each item stands alone.
    """
    paragraphs = []
    leads = paragraph_texts(lead)
    first_lead = leads.pop(0) if head and leads else None
    continues = bool(first_lead) or (inline and not leads and bool(items))
    if head:
        title_text, ordinal = head
        runs = [Run(ordinal, Role.HEADING2, kind="ordinal", ref=ref),
                Run(heading_title(title_text, run_in=continues), Role.HEADING2, ref=ref)]
        if first_lead:
            runs += text_runs(first_lead, measures, ref=lead_ref)
        paragraphs.append([Kind.HEADING, runs, ref])
    for text in leads:
        paragraphs.append([Kind.BODY, text_runs(text, measures, ref=lead_ref), lead_ref])
    for index, item in enumerate(items, 1):
        runs = _item_runs(index, item, measures)
        if inline and paragraphs:
            paragraphs[-1][1] += runs
        elif inline:
            paragraphs.append([Kind.BODY, runs, ref])
        else:
            paragraphs.append([Kind.ITEM, runs, _item_ref(item)])
    return [Paragraph(kind, tuple(runs), ref) for kind, runs, ref in paragraphs]


def compose_document(report: Report | SimpleNamespace, sections: Iterable[Section | SimpleNamespace],
                     headings: Iterable[Heading | SimpleNamespace], items: Iterable[Item | SimpleNamespace],
                     measures: dict[int, MeasureInfo], generated: dict[str, list] | None = None) -> Document:
    """Plain data → Document.

    `sections` in order; `headings` and `items` in any order (sorted here by position);
    `measures` maps a measure id to its MeasureInfo. Objects need only the attributes the
    models have (id, title, lead, position, section_id, heading_id, text). `generated` maps the
    kind of a generated section to its items, [(ref, text)] (reports.tracking.carried).
    """
    generated = generated or {}
    inline = report.items_layout == "inline"
    headings_of, items_of_heading, items_of_section = {}, {}, {}
    for heading in sorted(headings, key=lambda h: h.position):
        headings_of.setdefault(heading.section_id, []).append(heading)
    for item in sorted(items, key=lambda i: i.position):
        if item.heading_id:
            items_of_heading.setdefault(item.heading_id, []).append(item)
        else:
            items_of_section.setdefault(item.section_id, []).append(item)

    paragraphs = [Paragraph(Kind.TITLE, (Run(report.title.strip(), Role.TITLE, ref="title"),), "title")]
    if report.addressee.strip():
        paragraphs.append(Paragraph(Kind.ADDRESSEE, tuple(text_runs(report.addressee.strip(), measures, ref="addressee")),
                                    "addressee"))
    for text in paragraph_texts(report.opening):
        paragraphs.append(Paragraph(Kind.OPENING, tuple(text_runs(text, measures, ref="opening")), "opening"))

    for section_index, section in enumerate(sorted(sections, key=lambda s: s.position), 1):
        ref = f"section-{section.id}"
        paragraphs.append(Paragraph(Kind.SECTION, (
            Run(section_ordinal(section_index), Role.HEADING1, kind="ordinal", ref=ref),
            Run(section_title(section.title), Role.HEADING1, ref=ref),
        ), ref))
        is_generated = getattr(section, "kind", "") in generated
        if is_generated:
            own_items = [SimpleNamespace(ref=item_ref, text=text) for item_ref, text in generated[section.kind]]
        else:
            own_items = items_of_section.get(section.id, [])
        paragraphs += _block(None, section.lead, own_items, inline=inline, measures=measures, ref=ref, lead_ref=ref)
        if is_generated:
            continue  # its items are all it prints
        for heading_index, heading in enumerate(headings_of.get(section.id, []), 1):
            heading_ref = f"heading-{heading.id}"
            paragraphs += _block((heading.title, heading_ordinal(heading_index)), heading.lead,
                                 items_of_heading.get(heading.id, []), inline=inline,
                                 measures=measures, ref=heading_ref, lead_ref=heading_ref)

    if report.closing.strip():
        paragraphs.append(Paragraph(Kind.CLOSING, (Run(report.closing.strip(), ref="closing"),), "closing"))
    if report.signature_name.strip():
        paragraphs.append(Paragraph(Kind.SIGNATURE, (Run(report.signature_name.strip(), ref="signature"),), "signature"))
    if report.signature_date:
        paragraphs.append(Paragraph(Kind.DATE, (Run(format_date(report.signature_date), ref="signature"),), "signature"))
    return Document(paragraphs=paragraphs, mark=mark_for(report.status),
                    sealed=getattr(report, "signature_layout", "sealed") != "unsealed")


def load_measures(report: Report, texts: Iterable[str], *,
                  values: Iterable[MeasureValue] | None = None) -> dict[int, MeasureInfo]:
    """MeasureInfo for every measure of the report and every one its text refers to (≤ 2 queries).
    `values`: the report's MeasureValues with their measures, when the page has read them already."""
    from reports.models import Measure

    if values is None:
        values = report.measure_values.select_related("measure")
    measures = {
        value.measure_id: MeasureInfo(value.measure_id, value.measure.name, value.measure.unit, value.value)
        for value in values
    }
    unknown = referenced_ids(*texts) - measures.keys()
    if unknown:
        for measure in Measure.objects.usable_by(report).filter(id__in=unknown):
            measures[measure.id] = MeasureInfo(measure.id, measure.name, measure.unit, None)
    return measures


def build_document(report: Report, *, measure_values: Iterable[MeasureValue] | None = None) -> Document:
    """Load a report's parts in a constant number of queries and compose its document.
    `measure_values` as for load_measures."""
    from reports.models import GENERATED_SECTION_KINDS, Heading, Item
    from reports.tracking.carried import generated_items

    sections = list(report.sections.all())
    headings = list(Heading.objects.filter(section__report=report))
    items = list(Item.objects.filter(section__report=report))
    texts = token_texts(report, sections, headings, items)
    kinds = {section.kind for section in sections} & set(GENERATED_SECTION_KINDS)
    document = compose_document(report, sections, headings, items, load_measures(report, texts, values=measure_values),
                                generated_items(report, kinds) if kinds else None)
    if report.lists_attachments:
        place_attachments(document, attachment_titles(report, document))
    return document


def attachment_titles(report: Report, document: Document) -> list[str]:
    """The titles of the report's evidence in the order the evidence panel lists them: by claim
    in print order (reports.evidence.claims.grouped), uploaded order within a claim. One query,
    and a constant few more for the claims when the files support more than one."""
    from reports.evidence.claims import report_claims

    rows = list(report.evidence.order_by("target", "uploaded_at", "id").values_list("target", "title"))
    if len({target for target, _title in rows}) > 1:
        rank = {claim.target: index for index, claim in enumerate(report_claims(report, document))}
        # Stable: within a claim, and for files whose claim is gone (last, by target), as queried.
        rows.sort(key=lambda row: rank.get(row[0], len(rank)))
    return [title for _target, title in rows]
