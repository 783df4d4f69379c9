"""Keeping the comparison of texts and the overseer's quality list up to date after every write.

A write to a report (reports.drafting.editing, a new or copied report, an import) schedules one
task after it commits: the report's parts are stored again where they changed (its fingerprints,
which the other reports' checks read), its check is run and kept (ReportQuality), and so is the
check of each other body's report it is found to share text with, whose share has changed too.
Without configuration the task runs in the same process (settings.TASKS); on the database queue a
worker takes it. `manage.py refresh_quality` does the same for every report, after a bulk load.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from reports.models import Report, ReportQuality
from reports.quality import copies
from reports.quality.check import Quality, check_report


def refresh_after_commit(report_id: int) -> None:
    transaction.on_commit(lambda: refresh_quality.enqueue(report_id), robust=True)


@task()
def refresh_quality(report_id: int) -> dict:
    report = Report.objects.filter(pk=report_id).select_related("organization").first()
    if report is None:  # deleted since
        return {"report": report_id, "changed": False}
    changed = copies.refresh(report)
    quality = keep(report)
    peers = {finding.copy.source.report_id for finding in quality.findings
             if finding.copy is not None and finding.copy.kind == copies.PEER}
    if changed:
        for peer in Report.objects.filter(pk__in=peers):
            keep(peer)
    return {"report": report_id, "changed": changed, "peers": sorted(peers) if changed else []}


def keep(report: Report, quality: Quality | None = None) -> Quality:
    """Store what the check finds now, for the overseer's list."""
    quality = quality or check_report(report)
    ReportQuality.objects.update_or_create(report=report, defaults={
        "previous_share": quality.previous_share, "peer_share": quality.peer_share,
        "blocking": len(quality.blocking), "warnings": len(quality.warnings),
        "figures": len(quality.figures), "explained": len(quality.figures) - len(quality.unexplained),
        "checked_at": timezone.now()})
    return quality


def refresh_all(reports) -> int:
    """Every report's fingerprints first, then every check (each reads the others' fingerprints):
    after a bulk load, or a change of the stock phrases."""
    reports = list(reports)
    for report in reports:
        copies.refresh(report)
    stock = copies.StockPhrases()
    for report in reports:
        keep(report, check_report(report, stock=stock))
    return len(reports)
