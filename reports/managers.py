from django.db import models

from reports.document.units import counts_whole


class OrganizationQuerySet(models.QuerySet):
    def under(self, root_ids, *, include_roots=True):
        """The given bodies' subtrees (reports.tree): two queries however deep and large, the roots'
        paths and then one index range per root."""
        from reports.tree import below, subtree

        paths = list(self.model.objects.filter(pk__in=root_ids).values_list("path", flat=True))
        if not paths:
            return self.none()
        condition = models.Q()
        for path in paths:
            condition |= subtree(path) if include_roots else below(path)
        return self.filter(condition)

    def descendant_ids(self, root_ids):
        """The given bodies and every body below them."""
        return set(self.under(root_ids).values_list("id", flat=True)) | set(root_ids)


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The reports of the bodies the user sees (reports.access.visible_organizations, the one
        rule), filtered in the database."""
        from reports.access import visible_reports

        return visible_reports(user, self)


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
