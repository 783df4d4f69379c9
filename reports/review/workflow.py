"""The life of a report: who may move it from which state to which, and nothing else.

    state      action               → state       who
    draft      submit               → submitted   drafter of the body (input open; 迟报说明 when late)
    returned   submit               → submitted   drafter of the body (input open)
    submitted  pass                 → submitted   holder of the step it waits at, when a later step follows
                                                  (it goes on to that step)
    submitted  approve              → approved    holder of the chain's last step (审定: 报送ed to the body above)
    submitted  return_for_revision  → returned    holder of the step it waits at (comment required)
    approved   reopen               → returned    holder of the chain's last step (reason required)
    approved   accept               → accepted    overseer of the supervising body (签收)
    approved   send_back            → returned    overseer of the supervising body (上级退回, reason required)
    accepted   unaccept             → approved    overseer of the supervising body (撤销签收, reason required)

A body's review chain (reports.review.chain) is one step, its 审核人, unless the admin sets more;
each submission starts at the first step. A substitute (代审) decides a step for the holder on
leave, and the event names both. The supervising body is the nearest body above with an overseer
(reports.access.supervising_body). An accepted report is locked for everyone: no transition leaves
it but the overseer's unaccept. A submission is refused while the body's input is closed
(reports.tracking.deadlines: after the due date and its grace period, when the supervising body
closes input, unless it granted an extension), and a first submission after the due date needs a
迟报说明.

Each transition runs in one transaction: it locks the report row, re-checks the state and the
actor's role, writes the new state and exactly one event, and refuses anything else with a
named error, writing nothing. Two reviewers acting at once: the second waits for the lock,
then finds the state changed and is refused.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.access import closed_now, memberships, supervises
from reports.document.model import build_document
from reports.document.text import clean_text
from reports.document.tokens import format_value
from reports.drafting import editing
from reports.drafting.checks import find_problems
from reports.errors import Refusal
from reports.evidence import attach
from reports.models import Heading, Item, MeasureValue, Membership, Report, ReportEvent, Section, Submission
from reports.quality import figures
from reports.review import chain, notices
from reports.review.comments import MAX_COMMENT, add_comment, comment_targets, current_document
from reports.tracking import carried, deadlines, ledger, tallies

DRAFTER = Membership.Role.DRAFTER
# Not roles held in the report's body as such, but places in its review (reports.review.chain):
# the holder of the step the report waits at (or their 代审 substitute); the same when a later step
# follows; the holder of the chain's last step, who 审定s. With the default chain all three are the
# body's 审核人.
STEP, STEP_WITH_NEXT, LAST_STEP = "step", "step_with_next", "last_step"
# An overseer of the body the report is 报送ed to (access.supervises).
SUPERVISOR = "supervisor"
DRAFT, SUBMITTED, RETURNED, APPROVED, ACCEPTED = (
    Report.Status.DRAFT, Report.Status.SUBMITTED, Report.Status.RETURNED, Report.Status.APPROVED,
    Report.Status.ACCEPTED,
)
SUBMIT, PASS, APPROVE, RETURN, REOPEN, ACCEPT, SEND_BACK, UNACCEPT = (
    ReportEvent.Action.SUBMIT, ReportEvent.Action.PASS, ReportEvent.Action.APPROVE, ReportEvent.Action.RETURN,
    ReportEvent.Action.REOPEN, ReportEvent.Action.ACCEPT, ReportEvent.Action.SEND_BACK, ReportEvent.Action.UNACCEPT,
)

# (state, action) → (new state, who may act). The one table of the workflow.
TRANSITIONS = {
    (DRAFT, SUBMIT): (SUBMITTED, DRAFTER),
    (RETURNED, SUBMIT): (SUBMITTED, DRAFTER),
    (SUBMITTED, PASS): (SUBMITTED, STEP_WITH_NEXT),
    (SUBMITTED, APPROVE): (APPROVED, LAST_STEP),
    (SUBMITTED, RETURN): (RETURNED, STEP),
    (APPROVED, REOPEN): (RETURNED, LAST_STEP),
    (APPROVED, ACCEPT): (ACCEPTED, SUPERVISOR),
    (APPROVED, SEND_BACK): (RETURNED, SUPERVISOR),
    (ACCEPTED, UNACCEPT): (APPROVED, SUPERVISOR),
}
COMMENT_REQUIRED = {RETURN, REOPEN, SEND_BACK, UNACCEPT}
# The decisions of a review step: the event records the step, and the substitute's principal.
STEP_DECISIONS = {PASS, APPROVE, RETURN}


class WorkflowError(Refusal):
    """A transition refused: nothing was written (see the module's docstring)."""

    code = "workflow"


class TransitionNotAllowed(WorkflowError):
    code = "not_allowed_in_state"


class NotPermitted(WorkflowError):
    code = "not_permitted"


class SelfApproval(WorkflowError):
    code = "self_approval"


class CommentRequired(WorkflowError):
    code = "comment_required"


class CommentTooLong(WorkflowError):
    code = "comment_too_long"


class NotAtYourStep(NotPermitted):
    code = "not_your_step"


class ExplanationRequired(WorkflowError):
    """A figure far from usual, or breaking a rule, submitted without its 说明 (reports.quality.figures)."""

    code = "explanation_required"


class InputClosed(WorkflowError):
    code = "closed"


class LateReasonRequired(WorkflowError):
    code = "late_reason_required"


class ReportIncomplete(WorkflowError):
    code = "incomplete"

    def __init__(self, message, problems):
        super().__init__(message)
        self.problems = problems


def today() -> date:
    return deadlines.local_date(timezone.now())


def _step_decider(user, report, role, on):
    """For the step roles: (whether the user holds the place, whom for as 代审)."""
    steps = chain.steps_of(report)
    step = steps[-1] if role == LAST_STEP else chain.current(report, steps)
    if role == LAST_STEP and report.status == SUBMITTED and not chain.current(report, steps).last:
        return False, None
    if role == STEP_WITH_NEXT and step.last:
        return False, None
    return chain.decider(user, report, on, step=step)


def has_role(user: AbstractBaseUser, report: Report, role: str, on: date | None = None) -> bool:
    return _holds(user, report, role, on or today())[0]


def _holds(user, report, role, on):
    if not user.is_authenticated:
        return False, None
    if role == SUPERVISOR:
        return supervises(user, report), None
    if role in (STEP, STEP_WITH_NEXT, LAST_STEP):
        return _step_decider(user, report, role, on)
    return (report.organization_id, role) in memberships(user), None


def available_actions(user: AbstractBaseUser, report: Report) -> list[str]:
    """The actions this user may take on this report now: the buttons a page shows."""
    if not user.is_authenticated:
        return []
    on = today()
    actions = [action for (state, action), (_new, role) in TRANSITIONS.items()
               if state == report.status and _holds(user, report, role, on)[0]]
    if {PASS, APPROVE} & set(actions) and (decided_earlier_step(user, report) or (
            not settings.JIBAO_ALLOW_SELF_APPROVAL and took_part(user, report))):
        actions = [action for action in actions if action not in (PASS, APPROVE)]
    if SUBMIT in actions and closed_now(report):
        actions.remove(SUBMIT)  # the editor says why (已截止); a button would only be refused
    return actions


def took_part(user: AbstractBaseUser, report: Report) -> bool:
    """Whether the user changed anything that prints in the report (text, a figure, the order of
    its parts, its layout: each is in the trail) or submitted it: such a user does not approve it."""
    if report.created_by_id == user.id:
        return True
    # One query: the questions are EXISTS subqueries OR-ed together (five queries before, a
    # fifth of the review page's time).
    section_ids = Section.history.filter(report_id=report.id).values("id")
    heading_ids = Heading.history.filter(section_id__in=section_ids).values("id")
    traces = (
        Submission.objects.filter(report_id=report.id, submitted_by=user),
        Report.history.filter(id=report.id, history_user=user),
        Section.history.filter(report_id=report.id, history_user=user),
        Heading.history.filter(section_id__in=section_ids, history_user=user),
        Item.history.filter(Q(section_id__in=section_ids) | Q(heading_id__in=heading_ids), history_user=user),
        MeasureValue.history.filter(report_id=report.id, history_user=user),
    )
    condition = Q()
    for trace in traces:
        condition |= Q(Exists(trace))
    return Report.objects.filter(pk=report.pk).filter(condition).exists()


def decided_earlier_step(user: AbstractBaseUser, report: Report) -> bool:
    """Whether the user passed an earlier step of this round (since the last submission), in their
    own name or as a 代审: a chain is there so that each step is another pair of eyes."""
    last_submit = report.events.filter(action=SUBMIT).order_by("-created_at", "-id").values("created_at")[:1]
    return report.events.filter(action=PASS, actor=user, created_at__gte=Subquery(last_submit)).exists()


@transaction.atomic
def _transition(report, action, *, actor, comment="", notify=True, late_reason="", on=None):
    locked = Report.objects.select_for_update().get(pk=report.pk)
    key = (locked.status, action)
    if key not in TRANSITIONS:
        raise TransitionNotAllowed(
            _("这份报告当前为“%(status)s”，不能%(action)s。")
            % {"status": locked.get_status_display(), "action": ReportEvent.Action(action).label}
        )
    new_status, role = TRANSITIONS[key]
    on = on or today()
    allowed, on_behalf_of = _holds(actor, locked, role, on)
    if not allowed:
        _refuse(actor, locked, action, role)
    # A reason goes through the one cleaning rule: one made only of invisible characters is no
    # reason, and its length is bounded as a comment's is (it is shown and e-mailed in full).
    comment = _reason(comment, action)
    if action in (PASS, APPROVE) and not settings.JIBAO_ALLOW_SELF_APPROVAL and took_part(actor, locked):
        raise SelfApproval(_("您起草或提交过这份报告，不能由您审核或审定。请另一位审核人处理。"))
    if action in (PASS, APPROVE) and decided_earlier_step(actor, locked):
        raise SelfApproval(_("您已审核通过本轮的上一环节，这一环节须由另一人审核。"), code="second_step")
    step = chain.current(locked, chain.steps_of(locked)) if action in STEP_DECISIONS else None
    changes = {"status": new_status}
    if action == SUBMIT:
        changes.update(_submission_checks(locked, actor, late_reason, on))
        comment = changes.get("late_reason", "")
        changes["review_step"] = 1
    if action == PASS:
        changes["review_step"] = step.number + 1
    Report.objects.filter(pk=locked.pk).update(**changes, updated_at=timezone.now(), updated_by=actor)
    tallies.recount_later([locked.organization_id])  # the update bypasses the signal
    if action == APPROVE:
        # Responsibility does not end at approval: the problems it names are followed from here.
        ledger.record_problems(locked, actor=actor)
    from_status = locked.status
    for field, value in changes.items():  # the caller's object and the one the notice reads
        setattr(report, field, value)
        setattr(locked, field, value)
    event = ReportEvent.objects.create(
        report=locked, action=action, from_status=from_status, to_status=new_status, actor=actor, comment=comment,
        step=step.number if step else None, step_name=step.name if step else "", on_behalf_of_id=on_behalf_of)
    if notify:
        transaction.on_commit(lambda: notices.after_transition(event))
    return event


def _refuse(actor, report, action, role):
    label = ReportEvent.Action(action).label
    if role == SUPERVISOR:
        raise NotPermitted(_("只有报送的上级单位的督办人可以%(action)s这份报告。") % {"action": label})
    if role == DRAFTER:
        raise NotPermitted(_("只有本单位的起草人可以%(action)s这份报告。") % {"action": label})
    steps = chain.steps_of(report)
    step = steps[-1] if role == LAST_STEP else chain.current(report, steps)
    if report.status == SUBMITTED:
        raise NotAtYourStep(
            _("这份报告正在第 %(number)d 个审核环节（%(name)s），不在您的审核环节，您不能%(action)s。")
            % {"number": chain.current(report, steps).number, "name": chain.current(report, steps).name,
               "action": label})
    raise NotPermitted(_("只有“%(name)s”环节的审核人可以%(action)s这份报告。") % {"name": step.name, "action": label})


def _reason(comment, action):
    comment, _removed = clean_text(comment)
    what = {RETURN: _("退回意见"), REOPEN: _("重新打开的理由"), SEND_BACK: _("退回意见"),
            UNACCEPT: _("撤销签收的理由"), ACCEPT: _("签收意见")}.get(action, _("审核意见"))
    if action in COMMENT_REQUIRED and not comment:
        raise CommentRequired(_("请填写%(what)s。") % {"what": what})
    _bounded(comment, what)
    return comment


def _bounded(text, what):
    if len(text) > MAX_COMMENT:
        raise CommentTooLong(_("%(what)s最多 %(limit)d 个字符，现有 %(count)d 个。")
                             % {"what": what, "limit": MAX_COMMENT, "count": len(text)})


def _submission_checks(locked, actor, late_reason, on):
    """A submission's own rules: input open, a 迟报说明 when the first submission is late, nothing
    left to fill; then the submission is frozen. Returns the report's fields it changes."""
    deadline = deadlines.deadline_for(locked)
    first = not locked.submissions.exists()
    if first and deadline.closed(on):
        raise InputClosed(deadline.closed_message())
    # What is missing first: the list is what the drafter works from; the reason is one line.
    document = build_document(locked)
    values = list(locked.measure_values.select_related("measure"))
    problems = find_problems(locked, document, measure_values=values)
    if problems:
        raise ReportIncomplete(_("还有 %(count)d 处需要填写，暂不能提交。") % {"count": len(problems)}, problems)
    unexplained = sorted({figure.value.measure.name for figure in figures.to_explain(locked, values) if not figure.explained})
    if unexplained:
        raise ExplanationRequired(_("请为以下统计数填写说明后再提交：%(names)s。") % {"names": "、".join(unexplained)})
    changes = {}
    if first and deadline.late(on):
        late_reason, _removed = clean_text(late_reason)
        if not late_reason:
            raise LateReasonRequired(
                _("已过报送截止日期（%(due)s），请填写迟报说明。") % {"due": deadline.due.strftime("%Y-%m-%d")})
        _bounded(late_reason, _("迟报说明"))
        changes["late_reason"] = late_reason
    carried.freeze(locked)
    attach.freeze(_freeze(locked, document, actor))
    return changes


def _freeze(report, document, actor):
    values = report.measure_values.select_related("measure").order_by("id")
    number = report.submissions.count() + 1
    return Submission.objects.create(
        report=report,
        number=number,
        paragraphs=[
            {"kind": p.kind, "ref": p.ref,
             "runs": [{"text": r.text, "role": r.role, "kind": r.kind, "ref": r.ref} for r in p.runs]}
            for p in document.paragraphs
        ],
        measures={f"{v.measure.name}（{v.measure.unit}）": format_value(v.value) for v in values},
        submitted_by=actor,
        submitted_at=timezone.now(),
    )


def submit(report: Report, *, actor: AbstractBaseUser, notify: bool = True, late_reason: str = "",
           on: date | None = None, notes: dict[int, str] | None = None) -> ReportEvent:
    """`late_reason` is the 迟报说明, needed when the first submission comes after the due date.
    `on` is the day the submission counts as made, for loading history (demo data, imports).
    `notes` are the 说明 of figures to explain, by measure id: kept first, whatever comes of the
    submission, so that a refusal loses none of them."""
    if notes:
        try:
            editing.save_figure_notes(user=actor, report=report, notes=notes)
        except editing.EditRefused as refused:
            raise NotPermitted(refused.message) from None
    return _transition(report, SUBMIT, actor=actor, notify=notify, late_reason=late_reason, on=on)


def pass_on(report: Report, *, actor: AbstractBaseUser, comment: str = "", notify: bool = True) -> ReportEvent:
    """审核通过 at a step that is not the last: the report goes on to the next step of the chain."""
    return _transition(report, PASS, actor=actor, comment=comment, notify=notify)


def approve(report: Report, *, actor: AbstractBaseUser, comment: str = "", notify: bool = True) -> ReportEvent:
    """`notify=False` is for loading history (demo data, imports): nobody needs an e-mail then."""
    return _transition(report, APPROVE, actor=actor, comment=comment, notify=notify)


def return_for_revision(report: Report, *, actor: AbstractBaseUser, comment: str, at_ref: str = "") -> ReportEvent:
    """Return the report to its drafters. With `at_ref` naming a part of the submission read, the
    reason also stays at that part as a comment, so the drafter finds it where it applies; a
    part no longer in the submission makes it a plain return. The comment and the return are
    one step: if either is refused (CommentRefused, a WorkflowError), neither is written."""
    with transaction.atomic():
        _comment_at(report, actor, comment, at_ref)
        return _transition(report, RETURN, actor=actor, comment=comment)


def _comment_at(report, actor, comment, at_ref):
    if at_ref and clean_text(comment)[0]:
        place = dict(comment_targets(current_document(report))).get(at_ref)
        if place is not None:
            add_comment(user=actor, report=report, text=comment, ref=at_ref, place=place)


def reopen(report: Report, *, actor: AbstractBaseUser, reason: str) -> ReportEvent:
    return _transition(report, REOPEN, actor=actor, comment=reason)


def accept(report: Report, *, actor: AbstractBaseUser, comment: str = "", notify: bool = True) -> ReportEvent:
    """签收: the supervising body takes the report as 审定; it is locked for everyone from here."""
    return _transition(report, ACCEPT, actor=actor, comment=comment, notify=notify)


def send_back(report: Report, *, actor: AbstractBaseUser, comment: str, at_ref: str = "",
              notify: bool = True) -> ReportEvent:
    """上级退回: the supervising body returns the report to the body's drafters, with its reason;
    with `at_ref` the reason also stays at that part, as a reviewer's return does."""
    with transaction.atomic():
        _comment_at(report, actor, comment, at_ref)
        return _transition(report, SEND_BACK, actor=actor, comment=comment, notify=notify)


def unaccept(report: Report, *, actor: AbstractBaseUser, reason: str) -> ReportEvent:
    return _transition(report, UNACCEPT, actor=actor, comment=reason)


PERFORM = {SUBMIT: submit, PASS: pass_on, APPROVE: approve, RETURN: return_for_revision, REOPEN: reopen, ACCEPT: accept,
           SEND_BACK: send_back, UNACCEPT: unaccept}


def perform(action: str, report: Report, *, actor: AbstractBaseUser, comment: str = "", at_ref: str = "",
            notes: dict[int, str] | None = None) -> ReportEvent:
    """Run an action by name (for views that receive it from a form). `at_ref` is the part a
    return's comment is about (see return_for_revision); the other actions have none. A
    submission's `comment` is its 迟报说明, its `notes` the 说明 of its figures."""
    if action not in PERFORM:
        raise TransitionNotAllowed(_("未知的操作。"))
    if action == SUBMIT:
        return submit(report, actor=actor, late_reason=comment, notes=notes)
    if action == PASS:
        return pass_on(report, actor=actor, comment=comment)
    if action == REOPEN:
        return reopen(report, actor=actor, reason=comment)
    if action == UNACCEPT:
        return unaccept(report, actor=actor, reason=comment)
    if action == RETURN:
        return return_for_revision(report, actor=actor, comment=comment, at_ref=at_ref)
    if action == SEND_BACK:
        return send_back(report, actor=actor, comment=comment, at_ref=at_ref)
    if action == ACCEPT:
        return accept(report, actor=actor, comment=comment)
    return approve(report, actor=actor, comment=comment)
