"""What an import produces: the report's structure as plain data, in the stable JSON shape
that `import_report --dry-run` prints and `create_report_from_structure` reads."""

from dataclasses import dataclass, field

from reports.word.importing.patterns import PERIOD_RE, cn_int, fold


@dataclass
class ParsedHeading:
    title: str
    lead: str | None = None
    items: list = field(default_factory=list)

    def as_dict(self):
        return {"title": self.title, "lead": self.lead, "items": list(self.items)}


@dataclass
class ParsedSection:
    kind: str
    title: str
    lead: str | None = None
    headings: list = field(default_factory=list)
    items: list = field(default_factory=list)

    def as_dict(self):
        return {
            "kind": self.kind,
            "title": self.title,
            "lead": self.lead,
            "headings": [heading.as_dict() for heading in self.headings],
            "items": list(self.items),
        }


@dataclass
class ParsedReport:
    title: str = ""
    addressee: str | None = None
    opening: str | None = None
    sections: list = field(default_factory=list)
    closing: str | None = None
    measures: list = field(default_factory=list)  # FoundMeasure: name, unit, value
    placeholders: list = field(default_factory=list)
    signature: str | None = None
    date: str | None = None  # YYYY-MM-DD
    document_number: str | None = None  # the 版头's 发文字号 (某党组〔2023〕5号)
    not_imported: list = field(default_factory=list)  # {"kind", "text"}: reports.word.importing.frame
    # Not part of the JSON shape: how the source laid out its items (一是 inline, or one a paragraph),
    # and what the preview tells of the file that is not imported.
    items_layout: str = "inline"
    notes: list = field(default_factory=list)

    def as_dict(self):
        """The stable shape of the README (keys in this order)."""
        return {
            "title": self.title,
            "addressee": self.addressee,
            "opening": self.opening,
            "sections": [section.as_dict() for section in self.sections],
            "closing": self.closing,
            "measures": [{"name": m.name, "unit": m.unit, "value": m.value} for m in self.measures],
            "placeholders": list(self.placeholders),
            "signature": self.signature,
            "date": self.date,
            "document_number": self.document_number,
            "not_imported": [dict(found) for found in self.not_imported],
        }

    def structure(self):
        """The nested data `reports.structure.create_report_from_structure` builds a report from."""
        return {**self.as_dict(), "items_layout": self.items_layout}

    def period(self):
        """(year, quarter) named in the title or opening (2023年第一季度), or None."""
        for text in (self.title, self.opening or ""):
            match = PERIOD_RE.search(fold(text))
            if match:
                quarter = match[2]
                return int(match[1]), int(quarter) if quarter.isdigit() else cn_int(quarter)
        return None

    @property
    def heading_count(self):
        return sum(len(section.headings) for section in self.sections)

    @property
    def item_count(self):
        return sum(len(s.items) + sum(len(h.items) for h in s.headings) for s in self.sections)
