"""What a report carries over from the quarter before, typed once in the editor's side panel and
printed as generated parts:

- 上季度问题整改情况: the body's ledger entries found before this quarter and still open (or
  answered in this report), each with this quarter's 整改进展;
- 上季度工作打算落实情况: each item of last quarter's 下一步的打算, answered 已落实 / 部分落实 /
  未落实 with one sentence. Submitting is refused while one is unanswered (drafting.checks).

A generated part is a Section of its kind: its title and place are the report's, its items come
from here. A draft prints the entries' current status; from its submission on, a report prints
what it said then (the statuses and the plans are frozen with it).
"""

import hashlib
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from reports.document.text import clause, clean_text
from reports.errors import Refusal
from reports.labels import report_words
from reports.models import PlanCheck, Problem, ProblemProgress, Report, Section
from reports.review.comments import MAX_COMMENT
from reports.tracking import ledger

FROZEN = (Report.Status.SUBMITTED, Report.Status.APPROVED, Report.Status.ACCEPTED)


class CarriedRefused(Refusal):
    """A progress or a plan's answer refused: nothing was written."""

    code = "carried"


def _frozen(report: Report) -> bool:
    return report.status in FROZEN


def _bounded(text: str, what: str, limit: int = MAX_COMMENT) -> str:
    """The text cleaned, or refused whole when longer than `limit`: never cut without a word."""
    text, _removed = clean_text(text)
    if len(text) > limit:
        raise CarriedRefused(_("%(what)s最多 %(limit)d 个字符，现有 %(count)d 个。")
                             % {"what": what, "limit": limit, "count": len(text)}, "too_long")
    return text


# 上季度问题整改情况 ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rectified:
    """An entry as this report speaks of it."""

    problem: Problem
    progress: str  # this quarter's 整改进展, as typed in this report
    status: str  # the entry's status as the report prints it

    @property
    def ref(self) -> str:
        return f"problem-{self.problem.pk}"

    @property
    def text(self) -> str:
        return rectification_text(self.problem.text, self.progress or self._outcome, self.status, self.problem.deadline)

    @property
    def _outcome(self) -> str:
        return self.problem.outcome if self.status == Problem.Status.CLOSED else ""


def _found_before(report: Report) -> Q:
    return Q(found_year__lt=report.year) | Q(found_year=report.year, found_quarter__lt=report.quarter)


def rectified(report: Report) -> list[Rectified]:
    """The entries the report's 上季度问题整改情况 speaks of, oldest first (two queries): a draft's
    are the entries found before its quarter and still open, and those it has answered already."""
    if report.annual:
        return []  # the year's problems are its 存在的主要问题 (reports.drafting.annual)
    progress = {row.problem_id: row for row in ProblemProgress.objects.filter(report=report)}
    problems = Problem.objects.filter(organization_id=report.organization_id)
    if _frozen(report):
        problems = problems.filter(id__in=progress)
    else:
        problems = problems.filter((_found_before(report) & Q(status__in=ledger.STILL_OPEN)) | Q(id__in=progress))
    entries = []
    for problem in problems.order_by("found_year", "found_quarter", "id"):
        row = progress.get(problem.id)
        status = row.status if row and row.status and _frozen(report) else problem.status
        entries.append(Rectified(problem, row.text if row else "", status))
    return entries


def rectification_text(problem: str, progress: str, status: str, deadline: date | None) -> str:
    """One item of 上季度问题整改情况, in the report's words (Chinese, whatever the interface):
    针对“…”的问题，<progress>，已完成整改。 / …，正在整改，整改时限为2023年6月30日。"""
    from reports.document.model import format_date

    parts = [f"针对“{clause(problem)}”的问题"]
    if clause(progress):
        parts.append(clause(progress))
    if status == Problem.Status.CLOSED:
        parts.append("已完成整改")
    elif deadline:
        parts.append(f"正在整改，整改时限为{format_date(deadline)}")
    else:
        parts.append("正在整改")
    return "，".join(parts) + "。"


@transaction.atomic
def save_progress(report: Report, problem: Problem, *, actor: AbstractBaseUser, progress: str,
                  measures: str, leader: str, department: str, deadline: date | None) -> ProblemProgress | None:
    """This quarter's 整改进展 of an entry, in this report, and the entry's 整改措施, 责任领导, 责任部门
    and 整改时限 (kept in the entry's history). The caller checks that the user may edit the report."""
    if problem.organization_id != report.organization_id:
        raise CarriedRefused(_("这个问题不属于本单位的问题整改台账。"), "other_body")
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    short = Problem._meta.get_field("leader").max_length
    fields = {"measures": _bounded(measures, _("整改措施")), "leader": _bounded(leader, _("责任领导"), short),
              "department": _bounded(department, _("责任部门"), short), "deadline": deadline}
    if locked.status == Problem.Status.CLOSED and any(getattr(locked, name) != value for name, value in fields.items()):
        raise CarriedRefused(_("这个问题已销号，整改措施和责任不能再修改。"), "closed")
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    if changed:
        for name in changed:
            setattr(locked, name, fields[name])
        locked._history_user = actor
        locked.save(update_fields=[*changed, "updated_at"])
    text = _bounded(progress, _("本季度整改进展"))
    if (locked.found_year, locked.found_quarter) >= (report.year, report.quarter):
        problem.refresh_from_db()
        return None  # found in this very quarter: nothing to say of its progress yet
    row, _created = ProblemProgress.objects.get_or_create(problem=locked, report=report)
    if row.text != text:
        row.text = text
        row._history_user = actor
        row.save(update_fields=["text"])
    if text and ledger.START in ledger.available_actions(actor, locked):
        # Progress reported is rectification begun: no separate click on 开始整改.
        ledger.act(locked, ledger.START, actor=actor)
    problem.refresh_from_db()
    return row


# 上季度工作打算落实情况 -------------------------------------------------------------------------


def plan_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Plan:
    """One item of last quarter's 下一步的打算, with this report's answer (None until answered)."""

    position: int
    text: str
    check: PlanCheck | None

    @property
    def key(self) -> str:
        return plan_key(self.text)

    @property
    def ref(self) -> str:
        return f"plan-{self.position}"

    @property
    def answer(self) -> str:
        return self.check.answer if self.check else ""

    @property
    def note(self) -> str:
        return self.check.note if self.check else ""

    @property
    def answered(self) -> bool:
        return bool(self.answer) and (self.answer == PlanCheck.Answer.DONE or bool(clause(self.note)))

    @property
    def printed(self) -> str:
        return plan_text(self.text, self.answer, self.note)


def plans(report: Report) -> list[Plan]:
    """Last quarter's plans with this report's answers, in last quarter's order (a few queries).
    A submitted report keeps the plans it answered, whatever last quarter's report became since."""
    from reports.drafting.starting import previous_report, section_texts

    if _frozen(report):
        return [Plan(index, check.plan, check) for index, check in enumerate(report.plan_checks.all(), 1)]
    previous = previous_report(report)
    if previous is None:
        return []
    by_key = {check.plan_key: check for check in report.plan_checks.all()}
    texts = [clause(text) + "。" for text in section_texts(previous, Section.Kind.NEXT_STEPS) if clause(text)]
    return [Plan(index, text, by_key.get(plan_key(text))) for index, text in enumerate(dict.fromkeys(texts), 1)]


def plan_text(plan: str, answer: str, note: str) -> str:
    """One item of 上季度工作打算落实情况, in the report's words: “…”已落实。<note>。"""
    said = report_words(PlanCheck.Answer(answer).label) if answer in PlanCheck.Answer.values else "落实情况未填写"
    text = f"“{clause(plan)}”{said}"
    if clause(note):
        text += f"，{clause(note)}"
    return text + "。"


@transaction.atomic
def answer_plan(report: Report, position: int, *, actor: AbstractBaseUser, answer: str, note: str) -> PlanCheck:
    """Answer the plan at `position` (as `plans` numbers them). 部分落实 and 未落实 need their sentence."""
    Report.objects.select_for_update().filter(pk=report.pk).first()
    listed = {plan.position: plan for plan in plans(report)}
    if position not in listed:
        raise CarriedRefused(_("上季度的这项打算已不在清单中，请刷新页面后再填写。"), "plan_gone")
    if answer not in PlanCheck.Answer.values:
        raise CarriedRefused(_("请选择已落实、部分落实或未落实。"), "answer_required")
    note = _bounded(note, _("说明"))
    if answer != PlanCheck.Answer.DONE and not clause(note):
        raise CarriedRefused(_("选择“%(answer)s”时，请用一句话说明原因或进展。")
                             % {"answer": PlanCheck.Answer(answer).label}, "note_required")
    plan = listed[position]
    check, _created = PlanCheck.objects.update_or_create(
        report=report, plan_key=plan.key,
        defaults={"plan": plan.text, "position": position, "answer": answer, "note": note},
    )
    return check


def unanswered(report: Report) -> list[Plan]:
    return [plan for plan in plans(report) if not plan.answered]


def freeze(report: Report) -> None:
    """At submission: the statuses the report prints, and the plans in the order it answered them."""
    for entry in rectified(report):
        ProblemProgress.objects.update_or_create(problem=entry.problem, report=report,
                                                 defaults={"status": entry.problem.status})
    listed = plans(report)
    for plan in listed:
        if plan.check is not None and plan.check.position != plan.position:
            PlanCheck.objects.filter(pk=plan.check.pk).update(position=plan.position)
    report.plan_checks.exclude(plan_key__in=[plan.key for plan in listed]).delete()


def generated_items(report: Report, kinds: set[str]) -> dict[str, list[tuple[str, str]]]:
    """{section kind: [(ref, text)]} of the generated parts among `kinds`: what they print."""
    items = {}
    if Section.Kind.RECTIFICATION in kinds:
        items[Section.Kind.RECTIFICATION] = [(entry.ref, entry.text) for entry in rectified(report)]
    if Section.Kind.PLANS_DONE in kinds:
        items[Section.Kind.PLANS_DONE] = [(plan.ref, plan.printed) for plan in plans(report)]
    return items
