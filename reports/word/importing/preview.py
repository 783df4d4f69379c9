"""The preview of an import: the document it will print as, numbering included, before anything
exists. Built with the same `compose_document` as a saved report, from stand-in objects."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from reports.document.model import Document, compose_document
from reports.document.tokens import MeasureInfo
from reports.drafting.structure import resolve_named_tokens
from reports.word.importing.result import ParsedReport


def preview_document(parsed: ParsedReport, *, title: str | None = None) -> Document:
    infos, by_name = {}, {}
    for number, found in enumerate(parsed.measures, 1):
        by_name[found.name] = SimpleNamespace(id=number)
        value = Decimal(str(found.value)) if found.value is not None else None
        infos[number] = MeasureInfo(number, found.name, found.unit, value)

    def text(value):
        return resolve_named_tokens(value, by_name)

    report = SimpleNamespace(
        title=title or parsed.title,
        addressee=parsed.addressee or "",
        opening=text(parsed.opening),
        closing=parsed.closing or "",
        signature_name=parsed.signature or "",
        signature_date=date.fromisoformat(parsed.date) if parsed.date else None,
        items_layout=parsed.items_layout,
        status="draft",
    )
    sections, headings, items = [], [], []
    for s_position, section in enumerate(parsed.sections, 1):
        section_id = s_position
        sections.append(SimpleNamespace(id=section_id, title=section.title, lead=text(section.lead),
                                        kind=section.kind, position=s_position))
        for position, item in enumerate(section.items, 1):
            items.append(SimpleNamespace(id=len(items) + 1, section_id=section_id, heading_id=None,
                                         text=text(item), position=position))
        for h_position, heading in enumerate(section.headings, 1):
            heading_id = len(headings) + 1
            headings.append(SimpleNamespace(id=heading_id, section_id=section_id, title=heading.title,
                                            lead=text(heading.lead), position=h_position))
            for position, item in enumerate(heading.items, 1):
                items.append(SimpleNamespace(id=len(items) + 1, section_id=section_id, heading_id=heading_id,
                                             text=text(item), position=position))
    return compose_document(report, sections, headings, items, infos)
