"""A parsed import → a draft report, in one transaction, its counts in the measures catalogue."""

from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from reports.drafting.starting import moved_to_period, standard_title
from reports.drafting.structure import create_report_from_structure
from reports.models import Measure, Organization, Report
from reports.tracking import deadlines
from reports.word.importing.result import ParsedReport


@transaction.atomic
def create_report(parsed: ParsedReport, *, organization: Organization, year: int, quarter: int,
                  user: AbstractBaseUser | None = None) -> Report:
    """Create the draft; raises ReportExists (drafting.starting.create_report_row) if the quarter's
    report exists, or was created a moment ago, and then leaves behind no measure it added."""
    if user is not None:  # a person's import; the command line loads what an administrator chose
        deadlines.check_open(organization.id, year, quarter, deadlines.local_date(timezone.now()))
    measures = {found.name: Measure.objects.for_name(name=found.name, unit=found.unit, organization=organization)
                for found in parsed.measures}
    values = {found.name: Decimal(str(found.value)) for found in parsed.measures if found.value is not None}
    data = parsed.structure()
    found = parsed.period()
    if found and found != (year, quarter):
        # A file of another quarter becomes this quarter's draft, as a copy does.
        for field in ("title", "opening"):
            data[field] = moved_to_period(data[field] or "", old=found, new=(year, quarter))
    data["title"] = data["title"] or standard_title(organization, year, quarter)
    data["signature"] = data["signature"] or organization.name
    return create_report_from_structure(
        organization=organization, year=year, quarter=quarter, data=data,
        measures_by_name=measures, values_by_name=values, user=user,
    )
