"""Binding files to claims: attach, rename and delete while the report may be edited, frozen with
each submission; and what the readers of a report see of them (counts per claim, claims that
should have evidence and have none, files used for more than one claim)."""

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext as _

from reports.document.text import clean_text
from reports.drafting.editing import check_editable
from reports.evidence import claims as claims_module
from reports.evidence.claims import Claim
from reports.evidence.kinds import EvidenceRefused, checked_name
from reports.evidence.store import prepare, release, store
from reports.models import Evidence, EvidenceFile, MeasureValue, Problem, Report, Submission, SubmittedFile

MAX_TITLE = 200


def max_report_size() -> int:
    return settings.JIBAO_EVIDENCE_MAX_REPORT_MB * 1024 * 1024


def report_size(report: Report) -> int:
    """The bytes the report's evidence holds, each file counted once."""
    files = EvidenceFile.objects.filter(uses__report=report).distinct()
    return files.aggregate(total=Sum("size"))["total"] or 0


def default_title(name: str) -> str:
    """The file's name without its extension: "支部学习记录.pdf" → "支部学习记录"."""
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    return clean_text(stem)[0][:MAX_TITLE] or name[:MAX_TITLE]


def checked_target(report: Report, target: str) -> str:
    """The target, if it names a claim the report makes now; EvidenceRefused otherwise."""
    if target not in {claim.target for claim in claims_module.report_claims(report)}:
        raise EvidenceRefused(_("要佐证的内容已不在报告中（可能刚被删除）。请刷新页面后重试。"), "no_claim")
    return target


def attach(report: Report, *, target: str, name: str, data: bytes, actor, title: str = "") -> Evidence:
    """Bind the file `name` with bytes `data` to the claim `target` of the report.

    Refused, with nothing stored or bound, when the user may not edit the report (EditRefused),
    the claim is not the report's, the file is no allowed evidence or the report's evidence would
    exceed its limit (EvidenceRefused)."""
    check_editable(user=actor, report=report)
    checked_name(name)
    checked_target(report, target)
    title = clean_text(title)[0][:MAX_TITLE] or default_title(name)
    prepared = prepare(name, data)
    _check_room(report, prepared.sha256, len(prepared.data), name)  # before storing: a refusal stores nothing
    for _attempt in range(3):
        file = store(name, prepared)
        try:
            with transaction.atomic():
                locked = Report.objects.select_for_update().get(pk=report.pk)
                check_editable(user=actor, report=locked)
                # The file's row is locked too: a deletion releasing it at this moment has either
                # happened (the row is gone: store again) or waits for this binding.
                if not EvidenceFile.objects.select_for_update().filter(pk=file.pk).exists():
                    continue
                _check_room(locked, file.sha256, file.size, name)  # again under the lock: two uploads at once
                evidence = Evidence(report=locked, target=target, title=title, file=file, uploaded_by=actor)
                evidence._history_user = actor  # the trail names the uploader, also outside a request
                evidence.save()
                return evidence
        except IntegrityError:
            continue
        except EvidenceRefused:
            release([file.pk])  # stored for this upload alone, a moment ago
            raise
    raise EvidenceRefused(_("保存文件时出错，请重试。"), "retry")


def _check_room(report, sha256, size, name):
    """EvidenceRefused unless the report's evidence has room for these bytes (the same bytes,
    bound to another claim of the report already, take none)."""
    if report.evidence.filter(file__sha256=sha256).exists():
        return
    if report_size(report) + size > max_report_size():
        raise EvidenceRefused(_(
            "这份报告的佐证材料合计不能超过 %(limit)d MB，“%(name)s”已放不下。"
            "可以删去不需要的文件，或把 PDF 压缩后再上传。"
        ) % {"limit": settings.JIBAO_EVIDENCE_MAX_REPORT_MB, "name": name}, "report_too_large")


def rename(evidence: Evidence, title: str, *, actor) -> Evidence:
    check_editable(user=actor, report=evidence.report)
    title, _changed = clean_text(title)
    if not title:
        raise EvidenceRefused(_("请填写文件标题。"), "empty_title")
    if len(title) > MAX_TITLE:
        raise EvidenceRefused(_("标题最多 %(limit)d 个字，现在是 %(count)d 个字。") % {"limit": MAX_TITLE, "count": len(title)},
                              "long_title")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=evidence.report_id)
        check_editable(user=actor, report=locked)
        evidence.title = title
        evidence._history_user = actor
        evidence.save(update_fields=["title"])
    return evidence


def remove(evidence: Evidence, *, actor) -> None:
    """Unbind a file; its bytes go with their last use (store.release, after the commit)."""
    check_editable(user=actor, report=evidence.report)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=evidence.report_id)
        check_editable(user=actor, report=locked)
        evidence._history_user = actor
        evidence.delete()


@receiver(post_delete, sender=Evidence)
@receiver(post_delete, sender=SubmittedFile)
def _release_unused(sender, instance, **kwargs):
    """However a use goes (deleted in the editor, with its report, in the admin), its file goes
    when nothing uses it any more."""
    transaction.on_commit(lambda: release([instance.file_id]))


def freeze(submission: Submission) -> None:
    """The submission lists the report's evidence as it is now, by file (and so by hash)."""
    SubmittedFile.objects.bulk_create(
        SubmittedFile(submission=submission, file_id=evidence.file_id, target=evidence.target, title=evidence.title)
        for evidence in submission.report.evidence.order_by("id")
    )


# What readers see -------------------------------------------------------------------------------


def report_evidence(report: Report) -> list[Evidence]:
    return list(report.evidence.select_related("file", "uploaded_by").order_by("target", "uploaded_at", "id"))


def counts(report: Report) -> dict[str, int]:
    """{target: number of files}: the "佐证 3" of each part."""
    rows = report.evidence.values("target").annotate(n=Count("id")).values_list("target", "n")
    return dict(rows)


@dataclass(frozen=True)
class Missing:
    claim: Claim
    required: bool = False  # the catalogue says the measure needs evidence: submission waits for it


def missing(report: Report, claims: list[Claim] | None = None) -> list[Missing]:
    """The claims a reviewer should see proven and are not: each measure reported with a count
    above zero, and each ledger entry the report says is rectified, without any file."""
    claims = claims_module.report_claims(report) if claims is None else claims
    proven = set(report.evidence.values_list("target", flat=True))
    by_target = {claim.target: claim for claim in claims}
    found = []
    values = MeasureValue.objects.filter(report=report, value__gt=0).select_related("measure").order_by("measure__name")
    for value in values:
        target = f"measure-{value.measure_id}"
        if target not in proven and target in by_target:
            found.append(Missing(by_target[target], value.measure.needs_evidence))
    from reports.tracking.carried import rectified

    for row in rectified(report):
        target = f"problem-{row.problem.pk}"
        if row.status == Problem.Status.CLOSED and target not in proven and target in by_target:
            found.append(Missing(by_target[target]))
    return found


def required_missing(report: Report, values=None) -> list[MeasureValue]:
    """The values of measures the catalogue marks as needing evidence, filled in and not proven:
    the report cannot be submitted until each has a file. `values`: the report's MeasureValues
    with their measures, when the caller has them (no query then unless one needs evidence)."""
    if values is None:
        values = MeasureValue.objects.filter(report=report, measure__needs_evidence=True).select_related("measure")
    needing = [value for value in values if value.measure.needs_evidence and value.value is not None and value.value > 0]
    if not needing:
        return []
    proven = set(report.evidence.filter(target__startswith="measure-").values_list("target", flat=True))
    return [value for value in needing if f"measure-{value.measure_id}" not in proven]


@dataclass(frozen=True)
class EntryEvidence:
    count: int
    report_id: int  # the latest report holding some of it: where the ledger links to


def entry_evidence(problem_ids) -> dict[int, EntryEvidence]:
    """{problem id: its 整改 evidence across the body's reports}, in one query, for the ledger."""
    rows = (Evidence.objects.filter(target__in=[f"problem-{pk}" for pk in problem_ids])
            .values("target").annotate(n=Count("id"), latest=Max("report_id")))
    return {int(row["target"].split("-")[1]): EntryEvidence(row["n"], row["latest"]) for row in rows}


@dataclass(frozen=True)
class Reuse:
    """A file of this report also used elsewhere: `where` is said only as the reader may know it."""

    evidence: Evidence
    where: str
    url: str = ""


def reuses(report: Report, user, *, other_bodies: bool) -> dict[int, list[Reuse]]:
    """{evidence id: where else its file is used}: another claim of this report, another ledger
    entry of the body, and (`other_bodies`, for reviewers and overseers) another body's report,
    named and linked only when the reader may see it."""
    from django.urls import reverse

    own = report_evidence(report)
    if not own:
        return {}
    elsewhere = Q(report__organization_id=report.organization_id, target__startswith="problem-")
    if other_bodies:
        elsewhere |= ~Q(report__organization_id=report.organization_id)
    others = list(Evidence.objects.filter(elsewhere, file_id__in={evidence.file_id for evidence in own})
                  .exclude(report=report).select_related("report__organization"))
    visible = set(Report.objects.visible_to(user).filter(id__in={o.report_id for o in others}).values_list("id", flat=True))
    claims = {claim.target: claim for claim in claims_module.report_claims(report)}
    found: dict[int, list[Reuse]] = {}
    for evidence in own:
        for other in own:
            if other.file_id == evidence.file_id and other.target != evidence.target:
                claim = claims.get(other.target) or claims_module.described(other.target)
                found.setdefault(evidence.pk, []).append(Reuse(evidence, _("本报告的“%(claim)s”") % {"claim": claim.label}))
        unnamed = set()
        for other in others:
            if other.file_id != evidence.file_id:
                continue
            if other.report.organization_id == report.organization_id and other.target == evidence.target:
                continue  # the same entry's evidence, shown again in a later quarter
            if other.report_id in visible:
                where = _("%(body)s%(period)s报告的“%(claim)s”") % {
                    "body": other.report.organization.name, "period": other.report.period_label,
                    "claim": claims_module.described(other.target).label}
                found.setdefault(evidence.pk, []).append(
                    Reuse(evidence, where, reverse("reports:detail", args=[other.report_id])))
            else:
                unnamed.add(other.report.organization_id)
        if unnamed:
            found.setdefault(evidence.pk, []).append(
                Reuse(evidence, _("另外 %(count)d 个单位的报告") % {"count": len(unnamed)}))
    return found
