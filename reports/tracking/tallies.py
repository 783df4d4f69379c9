"""The board's counts per subtree, kept: for each body that has bodies below it, how many reporting
bodies its subtree holds and, per period, how many of their reports were submitted, on time, 审定
and 签收 (SubtreeBodies, SubtreeReports), each per warning days of the bodies' supervising body.

Why kept rather than counted on each request: a province's board opens on a dozen cities whose
subtrees hold 30,000 bodies and 120,000 reports a year, and counting them on every request costs what
the province holds, not what the page shows. Read from here, a group row costs its own rows.

Why counted by a task after the commit rather than inside the user's transaction: every
submission of the province would otherwise update the same province and city rows inside its own
transaction, so that everybody submitting at quarter's end would wait for everybody else. The task
recounts a body's ancestors from the deepest up, each from its own bodies and its children's tallies
(a few small queries each, whatever the size of the subtree), under a lock on that one body's row so
that two tasks recounting the same body one after the other never leave an older count.

The same task keeps, per period and measure, the sums of the subtree's 签收ed quarterly reports'
figures (SubtreeMeasures), which the summary reads when it counts only 签收ed reports: a 签收ed
report is locked, so its sum cannot disagree with it. The summary that also counts reports not yet
签收ed adds their figures up on each request.

What changes the counts, and calls recount_later: a report's status or first submission (the
workflow's transitions, Submission.save, a report saved or deleted with a different status), a
figure of a 签收ed report written (the admin, a restore), a body added, moved or deleted, a change
of overseers (who reports to whom), a supervising body's warning days, and a due date (what was on
time). After a bulk load, `recount()` counts everything.
"""

import threading
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_init, post_save
from django_tasks import task

from reports import tree
from reports.models import (
    DueDate,
    MeasureValue,
    Organization,
    Report,
    SubtreeBodies,
    SubtreeMeasures,
    SubtreeReports,
)
from reports.tracking.deadlines import DEFAULT_WARNING_DAYS, due_dates, end_of_day
from reports.tracking.scope import reporting_bodies

# Beyond this many bodies changed in one transaction (an import of a sheet of bodies) every tally is
# recounted: cheaper than looking up the ancestors of each.
RECOUNT_ALL_FROM = 1000

_pending = threading.local()
# What SubtreeReports counts of a period's reports: first submitted, of which by the due date; 审定;
# 签收; and under review now.
COUNTED = ("submitted", "on_time", "approved", "accepted", "in_review")


def recount_later(body_ids=(), *, everything: bool = False) -> None:
    """Recount the tallies above these bodies (and their own, if they have bodies below), or all of
    them, once the current transaction commits: one task per transaction, however many changes."""
    if not hasattr(_pending, "ids"):
        _pending.ids, _pending.everything = set(), False
    _pending.ids.update(body_ids)
    _pending.everything |= everything
    # One callback per change, of which the first to run takes everything pending: a transaction
    # rolled back drops its callbacks, and what it left pending goes with the next one that commits.
    transaction.on_commit(_enqueue, robust=True)


def _enqueue() -> None:
    ids, everything = getattr(_pending, "ids", set()), getattr(_pending, "everything", False)
    if not ids and not everything:
        return
    _pending.ids, _pending.everything = set(), False
    recount_tallies.enqueue(None if everything or len(ids) > RECOUNT_ALL_FROM else sorted(ids))


@task()
def recount_tallies(body_ids: list[int] | None) -> int:
    return recount(body_ids)


def recount(body_ids=None) -> int:
    """Recount the tallies of the bodies above these bodies and of these bodies themselves (every
    tally with None), deepest first so that each reads its children's counts already recounted.
    Returns the number of bodies recounted."""
    nodes = Organization.objects.filter(Exists(Organization.objects.filter(parent=OuterRef("pk"))))
    if body_ids is not None:
        paths = Organization.objects.filter(pk__in=list(body_ids)).values_list("path", flat=True)
        above = {pk for path in paths for pk in tree.ancestor_ids(path)}
        nodes = nodes.filter(pk__in=above)
    ordered = list(nodes.order_by("-depth").values_list("pk", flat=True))
    dues = {}
    for node in ordered:
        count_node(node, dues)
    if body_ids is None:
        # A body that has lost the last body below it keeps no tally.
        for kept in (SubtreeBodies, SubtreeReports, SubtreeMeasures):
            kept.objects.exclude(node__in=nodes).delete()
    return len(ordered)


def _warning(field: str = "supervisor__warning_days"):
    return Coalesce(field, Value(DEFAULT_WARNING_DAYS))


def count_node(node_id: int, dues: dict | None = None) -> None:
    """The tallies of one body that has bodies below it, from its own reports (if it reports), its
    children without bodies below (every one of them reports) and its other children's tallies; and
    the sums of its children's 签收ed figures and of their own sums kept. A dozen queries, whatever
    the size of the subtree; `dues` keeps each year's due dates across calls."""
    dues = {} if dues is None else dues
    with transaction.atomic():
        # The lock orders two recounts of the same body: the second reads what the first wrote.
        if not Organization.objects.select_for_update().filter(pk=node_id).exists():
            return
        children = Organization.objects.filter(parent_id=node_id)
        groups = list(children.filter(Exists(Organization.objects.filter(parent=OuterRef("pk"))))
                      .values_list("pk", flat=True))
        own = reporting_bodies().filter(Q(pk=node_id) | Q(parent_id=node_id)).exclude(pk__in=groups)
        bodies = defaultdict(int)
        for row in own.annotate(w=_warning()).values("w").annotate(n=Count("id")).order_by():
            bodies[row["w"]] += row["n"]
        for row in (SubtreeBodies.objects.filter(node_id__in=groups).values("warning_days")
                    .annotate(n=Sum("bodies")).order_by()):
            bodies[row["warning_days"]] += row["n"]

        # The bodies' ids, not their query inside the next ones: after a bulk load PostgreSQL's
        # statistics may still say the bodies are few, and it then runs that query once per report.
        reports = Report.objects.filter(organization_id__in=list(own.values_list("pk", flat=True)))
        counts = defaultdict(lambda: [0, 0, 0, 0, 0])  # COUNTED, in order
        # order_by(): the reports' default order would join the bodies and make DISTINCT per name.
        years = set(reports.order_by().values_list("year", flat=True).distinct()) | set(
            SubtreeReports.objects.filter(node_id__in=groups).order_by().values_list("year", flat=True).distinct())
        for year in years - dues.keys():
            dues[year] = due_dates(year)
        on_time = Q(pk__in=[])
        for year in years:
            for quarter, due in dues[year].items():
                on_time |= Q(year=year, quarter=quarter, first_submitted_at__lt=end_of_day(due))
        for row in (reports.annotate(w=_warning("organization__supervisor__warning_days"))
                    .values("year", "quarter", "w").order_by()
                    .annotate(submitted=Count("id", filter=Q(first_submitted_at__isnull=False)),
                              on_time=Count("id", filter=on_time),
                              approved=Count("id", filter=Q(status=Report.Status.APPROVED)),
                              accepted=Count("id", filter=Q(status=Report.Status.ACCEPTED)),
                              in_review=Count("id", filter=Q(status=Report.Status.SUBMITTED)))):
            total = counts[(row["year"], row["quarter"], row["w"])]
            for index, name in enumerate(COUNTED):
                total[index] += row[name]
        for row in (SubtreeReports.objects.filter(node_id__in=groups).values("year", "quarter", "warning_days")
                    .order_by().annotate(**{name: Sum(name) for name in COUNTED})):
            total = counts[(row["year"], row["quarter"], row["warning_days"])]
            for index, name in enumerate(COUNTED):
                total[index] += row[name]

        # The 签收ed quarterly reports' figures, per period and measure (the annual report's are its
        # quarters' again, and counting them would count twice), of every body strictly below: its
        # children's own and its children's subtrees'. Every body, as the summary adds them up, not
        # only those that report; and not the body's own, which the summary adds or not by the page.
        sums = defaultdict(Decimal)
        for row in (MeasureValue.objects.filter(report__organization__parent_id=node_id,
                                                report__status=Report.Status.ACCEPTED,
                                                report__quarter__isnull=False, value__isnull=False)
                    .values("report__year", "report__quarter", "measure").order_by().annotate(total=Sum("value"))):
            sums[(row["report__year"], row["report__quarter"], row["measure"])] += row["total"]
        for row in (SubtreeMeasures.objects.filter(node_id__in=groups).values("year", "quarter", "measure")
                    .order_by().annotate(total=Sum("total"))):
            sums[(row["year"], row["quarter"], row["measure"])] += row["total"]

        SubtreeBodies.objects.filter(node_id=node_id).delete()
        SubtreeReports.objects.filter(node_id=node_id).delete()
        SubtreeMeasures.objects.filter(node_id=node_id).delete()
        SubtreeBodies.objects.bulk_create(
            SubtreeBodies(node_id=node_id, warning_days=w, bodies=n) for w, n in bodies.items() if n)
        SubtreeReports.objects.bulk_create(
            SubtreeReports(node_id=node_id, year=year, quarter=quarter, warning_days=w, **dict(zip(COUNTED, row, strict=True)))
            for (year, quarter, w), row in counts.items())
        SubtreeMeasures.objects.bulk_create(
            SubtreeMeasures(node_id=node_id, year=year, quarter=quarter, measure_id=measure, total=total)
            for (year, quarter, measure), total in sums.items())


# ---- Reading them ------------------------------------------------------------------------------

def period_totals(node_ids, year: int) -> dict:
    """{quarter: {name in COUNTED: n}} over the subtrees of these bodies, for the periods of `year`
    that have reports: one query on the tallies."""
    rows = (SubtreeReports.objects.filter(node_id__in=list(node_ids), year=year).values("quarter").order_by()
            .annotate(**{name: Sum(name) for name in COUNTED}))
    return {row.pop("quarter"): row for row in rows}


def report_years(node_ids, *conditions, **filters) -> tuple[int | None, int | None]:
    """The first and last years in which the subtrees of these bodies have reports (conditions on
    SubtreeReports narrow it: year__lte=…, accepted__gt=0): one query on the tallies."""
    span = (SubtreeReports.objects.filter(*conditions, node_id__in=list(node_ids), **filters).order_by()
            .aggregate(first=Min("year"), last=Max("year")))
    return span["first"], span["last"]


def measure_totals(node_ids, year: int, measure_id: int | None = None):
    """The sums of the 签收ed quarterly reports' figures of every body strictly below these bodies,
    per measure and quarter, with each measure's name, unit and owner (or of one measure per body,
    with `measure_id`): one query on the sums kept."""
    rows = SubtreeMeasures.objects.filter(node_id__in=list(node_ids), year=year)
    if measure_id is not None:
        return rows.filter(measure_id=measure_id).values_list("node_id", "quarter", "total")
    return (rows.values("measure", "measure__name", "measure__unit", "measure__organization__name", "quarter")
            .order_by().annotate(total=Sum("total")))


def reporting_counts(node_ids) -> dict[int, int]:
    """{body id: the reporting bodies of its subtree} for these bodies: one query on the tallies."""
    rows = SubtreeBodies.objects.filter(node_id__in=list(node_ids)).values_list("node_id").annotate(n=Sum("bodies"))
    return dict(rows.order_by())


def reporting_count(node_ids) -> int:
    """The reporting bodies of the subtrees of these bodies together."""
    return sum(reporting_counts(node_ids).values())


# ---- What changes the counts ---------------------------------------------------------------------

def _counted(report) -> tuple:
    # From __dict__: a deferred field (a query with .only()) must not cost a query per row.
    return report.__dict__.get("status"), report.__dict__.get("first_submitted_at")


def _report_loaded(sender, instance, **kwargs):
    instance._tally_counted = _counted(instance)


def _report_saved(sender, instance, created, **kwargs):
    # A new report counts even as a draft: its year becomes one the board and the summary offer.
    now = _counted(instance)
    if created or now != getattr(instance, "_tally_counted", None):
        recount_later([instance.organization_id])
    instance._tally_counted = now


def _report_deleted(sender, instance, **kwargs):
    recount_later([instance.organization_id])


def _figure_changed(sender, instance, **kwargs):
    # A 签收ed report is locked, but the admin and a restore may still write its figures.
    accepted = Report.objects.filter(pk=instance.report_id, status=Report.Status.ACCEPTED)
    recount_later(accepted.values_list("organization_id", flat=True))


def _body_loaded(sender, instance, **kwargs):
    instance._tally_warning = instance.__dict__.get("warning_days")
    instance._tally_parent = instance.__dict__.get("parent_id")


def _body_saved(sender, instance, created, **kwargs):
    # Its ancestors gain a body, or on a move lose it (by the parent it had) and gain it (by the new
    # one). A new root, or an edit of the name, counts nothing again.
    moved_from = getattr(instance, "_tally_parent", None)
    if created or moved_from != instance.parent_id:
        recount_later([pk for pk in (instance.pk, instance.parent_id, moved_from) if pk is not None and not (
            created and pk == instance.pk)])
    if not created and getattr(instance, "_tally_warning", None) not in (None, instance.warning_days):
        # The warning days of the bodies that report to it: every tally of its subtree and above.
        recount_later(Organization.objects.filter(tree.subtree(instance.path)).values_list("pk", flat=True))
    instance._tally_warning, instance._tally_parent = instance.warning_days, instance.parent_id


def _body_deleted(sender, instance, **kwargs):
    if instance.parent_id is not None:
        recount_later([instance.parent_id])


def _due_date_changed(sender, instance, **kwargs):
    recount_later(everything=True)


def connect_signals() -> None:
    post_init.connect(_report_loaded, sender=Report, dispatch_uid="tallies-report-loaded")
    post_save.connect(_report_saved, sender=Report, dispatch_uid="tallies-report-saved")
    post_delete.connect(_report_deleted, sender=Report, dispatch_uid="tallies-report-deleted")
    post_save.connect(_figure_changed, sender=MeasureValue, dispatch_uid="tallies-figure-saved")
    post_delete.connect(_figure_changed, sender=MeasureValue, dispatch_uid="tallies-figure-deleted")
    post_init.connect(_body_loaded, sender=Organization, dispatch_uid="tallies-body-loaded")
    post_save.connect(_body_saved, sender=Organization, dispatch_uid="tallies-body-saved")
    post_delete.connect(_body_deleted, sender=Organization, dispatch_uid="tallies-body-deleted")
    post_save.connect(_due_date_changed, sender=DueDate, dispatch_uid="tallies-due-date-saved")
    post_delete.connect(_due_date_changed, sender=DueDate, dispatch_uid="tallies-due-date-deleted")
