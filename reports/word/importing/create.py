"""A parsed import → a draft report, in one transaction, its counts in the measures catalogue."""

from decimal import Decimal

from django.db import IntegrityError, transaction

from reports.drafting.starting import ReportExists, standard_title
from reports.drafting.structure import create_report_from_structure
from reports.models import Measure, Report


def create_report(parsed, *, organization, year, quarter, user=None):
    """Create the draft; raises ReportExists (drafting.starting) if the quarter's report exists."""
    existing = Report.objects.filter(organization=organization, year=year, quarter=quarter).first()
    if existing:
        raise ReportExists(existing)
    try:
        with transaction.atomic():
            return _create(parsed, organization=organization, year=year, quarter=quarter, user=user)
    except IntegrityError:
        # Someone created the same quarter's report a moment ago: show them theirs.
        existing = Report.objects.filter(organization=organization, year=year, quarter=quarter).first()
        if existing:
            raise ReportExists(existing) from None
        raise


def _create(parsed, *, organization, year, quarter, user):
    measures = {found.name: Measure.objects.for_name(name=found.name, unit=found.unit, organization=organization)
                for found in parsed.measures}
    values = {found.name: Decimal(str(found.value)) for found in parsed.measures if found.value is not None}
    data = parsed.structure()
    data["title"] = data["title"] or standard_title(organization, year, quarter)
    data["signature"] = data["signature"] or organization.name
    return create_report_from_structure(
        organization=organization, year=year, quarter=quarter, data=data,
        measures_by_name=measures, values_by_name=values, user=user,
    )
