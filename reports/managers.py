from django.db import models

from reports.document.units import counts_whole


class OrganizationQuerySet(models.QuerySet):
    def descendant_ids(self, root_ids):
        """The given bodies and every body below them, one query per tree level."""
        found = set(root_ids)
        frontier = set(root_ids)
        while frontier:
            children = set(self.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
            found |= children
            frontier = children
        return found


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        from reports.access import visible_organization_ids

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(organization_id__in=visible_organization_ids(user))


class MeasureQuerySet(models.QuerySet):
    def usable_by(self, report):
        """The measures a report may refer to: the common ones and its body's own. Another body's
        own measure is that body's business: no page of this report names it."""
        return self.filter(models.Q(organization__isnull=True) | models.Q(organization_id=report.organization_id))

    def catalogue_for(self, report):
        """Active measures a report may add: the common ones and its body's own, not yet in it."""
        return (
            self.usable_by(report)
            .filter(active=True)
            .exclude(values__report=report)
            .order_by("name")
        )

    def for_name(self, *, name: str, unit: str, organization):
        """The measure a body means by this name and unit: the common one when the catalogue has
        it, so that the summary adds every body's figure up in one row; else the body's own,
        created if need be."""
        common = self.filter(name=name, unit=unit, organization__isnull=True).first()
        if common is not None:
            return common
        measure, _created = self.get_or_create(name=name, unit=unit, organization=organization,
                                               defaults={"whole": counts_whole(unit)})
        return measure
