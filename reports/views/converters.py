from reports.drafting.editing import PART_FIELDS, PART_MODELS
from reports.labels import parse_period_key, period_key
from reports.models import GENERATED_SECTION_KINDS


class PartKindConverter:
    """A part of a report that has an edit form: title, opening, section, heading, item…"""

    regex = "|".join(PART_FIELDS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class AddableKindConverter(PartKindConverter):
    """A part a report can have several of: section, heading, item."""

    regex = "|".join(PART_MODELS)


class GeneratedKindConverter(PartKindConverter):
    """A part printed from the ledger or the plans checklist: rectification, plans_done."""

    regex = "|".join(GENERATED_SECTION_KINDS)


class PeriodConverter:
    """A report's period in a URL: a quarter, 1–4, or "annual" for the year (None)."""

    regex = "[1-4]|annual"

    def to_python(self, value):
        return parse_period_key(value)

    def to_url(self, value):
        return value if isinstance(value, str) else period_key(value)
