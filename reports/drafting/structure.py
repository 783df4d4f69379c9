"""A report from its structure: the nested shape that the importer produces and the demo
data is written in (title, opening, sections with headings and items, measures…).

Texts may name a measure as `{{measure:名称}}`; it becomes the id token of that measure.
"""

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from reports.document.tokens import token
from reports.drafting.starting import bulk_create_started, create_report_row, create_started
from reports.models import Heading, Item, Measure, MeasureValue, Organization, Report, Section

NAMED_TOKEN_RE = re.compile(r"\{\{measure:([^{}]+)\}\}")


def resolve_named_tokens(text: str | None, measures_by_name: Mapping[str, Measure | SimpleNamespace]) -> str:
    """'{{measure:廉政谈话}}' → '{{measure:7}}'; an unknown name is left as it is."""

    def replace(match):
        measure = measures_by_name.get(match.group(1))
        return token(measure.id) if measure else match.group(0)

    return NAMED_TOKEN_RE.sub(replace, text or "")


@transaction.atomic
def create_report_from_structure(*, organization: Organization, year: int, quarter: int, data: dict,
                                 measures_by_name: dict[str, Measure], values_by_name: dict[str, Decimal] | None = None,
                                 user: AbstractBaseUser | None = None) -> Report:
    """Create the report and all its parts in one transaction: it exists whole or not at all.
    Raises ReportExists (drafting.starting) when the body's quarter has a report already."""
    values_by_name = values_by_name or {}

    def text(value):
        return resolve_named_tokens(value or "", measures_by_name)

    report = create_report_row(
        organization=organization,
        year=year,
        quarter=quarter,
        title=data["title"],
        addressee=data.get("addressee") or "",
        opening=text(data.get("opening")),
        closing=data.get("closing") or "",
        signature_name=data.get("signature") or "",
        signature_date=date.fromisoformat(data["date"]) if data.get("date") else None,
        items_layout=data.get("items_layout") or Report.ItemsLayout.INLINE,
        created_by=user,
        updated_by=user,
    )
    for section_position, section_data in enumerate(data.get("sections", []), 1):
        section = create_started(
            Section,
            report=report,
            kind=section_data.get("kind") or Section.Kind.OTHER,
            title=section_data["title"],
            lead=text(section_data.get("lead")),
            position=section_position,
        )
        bulk_create_started(Item, (
            Item(section=section, text=text(item), position=position)
            for position, item in enumerate(section_data.get("items", []), 1)
        ))
        for heading_position, heading_data in enumerate(section_data.get("headings", []), 1):
            heading = create_started(
                Heading,
                section=section,
                title=heading_data["title"],
                lead=text(heading_data.get("lead")),
                position=heading_position,
            )
            bulk_create_started(Item, (
                Item(section=section, heading=heading, text=text(item), position=position)
                for position, item in enumerate(heading_data.get("items", []), 1)
            ))
    MeasureValue.objects.bulk_create(
        MeasureValue(report=report, measure=measure, value=values_by_name.get(name))
        for name, measure in measures_by_name.items()
    )
    return report
