"""The 问题整改台账: each problem a body names under 存在的主要问题, followed to its closure.

    state                     action   → state        who                        needs
    (new)                     found    → open         the approval of a report   —
    open, reopened            start    → in_progress  drafter or reviewer        —
    open, in_progress, reop.  propose  (unchanged)    drafter                    整改情况
    open, in_progress, reop.  close    → closed       reviewer (销号)             整改情况
    closed                    reopen   → reopened     reviewer or overseer       a reason
    closed                    found    → reopened     the approval of a report that names it again

Each action runs in one transaction: it locks the entry, re-checks the state and the actor's
role, writes the new state and exactly one event, and refuses anything else with a named error,
writing nothing. A report's problems enter the ledger when it is approved: a problem worded as
an entry already there (the same or nearly the same words) is that entry named again, not a new one.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from reports.access import memberships
from reports.document.text import alike, clean_text
from reports.errors import Refusal
from reports.labels import day_name, period_name
from reports.models import (
    Item,
    Membership,
    Organization,
    Problem,
    ProblemEvent,
    ProblemMention,
    ProblemProgress,
    Report,
    Section,
)
from reports.review.comments import MAX_COMMENT
from reports.tracking.scope import overseen, oversees

OPEN, IN_PROGRESS, CLOSED, REOPENED = (
    Problem.Status.OPEN, Problem.Status.IN_PROGRESS, Problem.Status.CLOSED, Problem.Status.REOPENED,
)
FOUND, START, PROPOSE, CLOSE, REOPEN = (
    ProblemEvent.Action.FOUND, ProblemEvent.Action.START, ProblemEvent.Action.PROPOSE, ProblemEvent.Action.CLOSE,
    ProblemEvent.Action.REOPEN,
)
DRAFTER, REVIEWER, OVERSEER = Membership.Role.DRAFTER, Membership.Role.REVIEWER, Membership.Role.OVERSEER
STILL_OPEN = (OPEN, IN_PROGRESS, REOPENED)

# (state, action) → (new state, roles that may act). The one table of the ledger's actions.
TRANSITIONS = {
    **{(state, START): (IN_PROGRESS, {DRAFTER, REVIEWER}) for state in (OPEN, REOPENED)},
    **{(state, PROPOSE): (state, {DRAFTER}) for state in STILL_OPEN},
    **{(state, CLOSE): (CLOSED, {REVIEWER}) for state in STILL_OPEN},
    (CLOSED, REOPEN): (REOPENED, {REVIEWER, OVERSEER}),
}
WHO = {DRAFTER: gettext_lazy("本单位的起草人"), REVIEWER: gettext_lazy("本单位的审核人"),
       OVERSEER: gettext_lazy("督办单位的督办人")}
OUTCOME_REQUIRED = {PROPOSE, CLOSE}
REASON_REQUIRED = {REOPEN}

# Two wordings are one problem when they share this much (difflib's ratio of the folded texts):
# a problem retyped with a word changed or a clause added is the same problem named again.
SAME_PROBLEM = 0.85


class LedgerRefused(Refusal):
    """An action on a ledger entry refused: nothing was written."""

    code = "ledger"


def _roles(user: AbstractBaseUser, problem: Problem) -> set[str]:
    roles = {role for organization_id, role in memberships(user) if organization_id == problem.organization_id}
    if oversees(user, problem.organization):
        roles.add(OVERSEER)
    return roles


def available_actions(user: AbstractBaseUser, problem: Problem) -> list[str]:
    """The actions this user may take on this entry now: the buttons a page shows."""
    if not user.is_authenticated:
        return []
    roles = _roles(user, problem)
    return [action for (state, action), (_new, allowed) in TRANSITIONS.items()
            if state == problem.status and roles & allowed]


@transaction.atomic
def act(problem: Problem, action: str, *, actor: AbstractBaseUser, comment: str = "") -> ProblemEvent:
    """Take `action` on the entry: `comment` is the 整改情况 of a proposal or a closing (a closing
    without one takes the proposed text), the reason of a reopening."""
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    key = (locked.status, action)
    if key not in TRANSITIONS:
        raise LedgerRefused(_("这个问题当前为“%(status)s”，不能%(action)s。")
                            % {"status": locked.get_status_display(), "action": ProblemEvent.Action(action).label},
                            "not_allowed_in_state")
    new_status, allowed = TRANSITIONS[key]
    if not _roles(actor, locked) & allowed:
        # Who may act, as alternatives in the reader's language: 本单位的起草人、本单位的审核人.
        who = pgettext("alternatives", "、").join(str(WHO[role]) for role in Membership.Role if role in allowed)
        raise LedgerRefused(_("只有%(who)s可以%(action)s。")
                            % {"who": who, "action": ProblemEvent.Action(action).label}, "not_permitted")
    comment, _removed = clean_text(comment)
    if action == CLOSE and not comment:
        comment = locked.outcome
    if action in OUTCOME_REQUIRED and not comment:
        raise LedgerRefused(_("请填写整改情况。"), "outcome_required")
    if action in REASON_REQUIRED and not comment:
        raise LedgerRefused(_("请填写重新整改的理由。"), "reason_required")
    if len(comment) > MAX_COMMENT:
        raise LedgerRefused(_("最多 %(limit)d 个字符，现有 %(count)d 个。") % {"limit": MAX_COMMENT, "count": len(comment)},
                            "too_long")
    event = ProblemEvent(problem=locked, action=action, from_status=locked.status, to_status=new_status,
                         actor=actor, comment=comment)
    if action in OUTCOME_REQUIRED:
        locked.outcome = comment
    if action == PROPOSE:
        locked.closing_proposed_by, locked.closing_proposed_at = actor, timezone.now()
    elif action in (CLOSE, REOPEN):
        locked.closing_proposed_by, locked.closing_proposed_at = None, None
    locked.status = new_status
    locked._history_user = actor
    locked.save()
    event.save()
    problem.refresh_from_db()
    return event


def same_problem(a: str, b: str) -> bool:
    return alike(a, b, SAME_PROBLEM)


@dataclass(frozen=True)
class Recorded:
    problem: Problem
    new: bool  # entered the ledger with this report
    reopened: bool  # was closed, and this report names it again


def problem_texts(report: Report) -> list[str]:
    """The items of the report's 存在的主要问题, in print order."""
    return list(Item.objects.filter(section__report=report, section__kind=Section.Kind.PROBLEMS)
                .exclude(text="").order_by("section__position", "heading__position", "position")
                .values_list("text", flat=True))


@transaction.atomic
def record_problems(report: Report, *, actor: AbstractBaseUser | None) -> list[Recorded]:
    """Enter an approved report's problems in its body's ledger (the approval runs it inside its
    own transaction). A problem already in the ledger is named again; a closed one comes back.
    An annual report enters nothing: its problems are the ledger's entries of its year, restated."""
    if report.annual:
        return []
    entries = list(Problem.objects.select_for_update().filter(organization_id=report.organization_id))
    recorded = []
    for text in problem_texts(report):
        match = _open_alike(entries, text) or next((entry for entry in entries if same_problem(entry.text, text)), None)
        if match is None:
            match = _enter(report, text, actor=actor)
            entries.append(match)
            recorded.append(Recorded(match, new=True, reopened=False))
        elif match.status == CLOSED:
            ProblemEvent.objects.create(problem=match, action=FOUND, from_status=CLOSED, to_status=REOPENED,
                                        actor=actor, report=report,
                                        comment=_("%(period)s的报告再次提到这个问题。") % {"period": report.period_label})
            match.status = REOPENED
            match._history_user = actor
            match.save(update_fields=["status", "updated_at"])
            recorded.append(Recorded(match, new=False, reopened=True))
        elif any(r.problem.pk == match.pk for r in recorded):
            continue  # two items of one report worded alike: one problem
        else:
            recorded.append(Recorded(match, new=False, reopened=False))
        ProblemMention.objects.get_or_create(problem=match, report=report, defaults={"text": text})
    return recorded


def _running(periods) -> int:
    """The number of quarters running up to the latest of `periods` ((year, quarter) pairs)."""
    periods = sorted(set(periods), reverse=True)
    running = 1 if periods else 0
    for (year, quarter), (before_year, before_quarter) in zip(periods, periods[1:], strict=False):
        if (year * 4 + quarter) - (before_year * 4 + before_quarter) != 1:
            break
        running += 1
    return running


def quarters_named(problem: Problem) -> int:
    """How many quarters running, up to the latest report naming it, the problem has been named:
    a problem named for the third quarter running reads 3."""
    return _running(problem.mentions.values_list("report__year", "report__quarter"))


@dataclass(frozen=True)
class Entry:
    """A ledger entry as a page shows it."""

    problem: Problem
    quarters: int  # named this many quarters running
    colour: str = ""  # on the ledger page (colour)
    actions: tuple = ()  # what the reader may do with it (available_actions)
    progress: str = ""  # the latest 整改进展 a report of the body gave (reports.tracking.carried)
    progress_period: str = ""  # the period of that report

    @property
    def found(self) -> str:
        return period_name(self.problem.found_year, self.problem.found_quarter)

    @property
    def deadline(self) -> str:
        return day_name(self.problem.deadline) if self.problem.deadline else ""


def _ages(problems: list[Problem]) -> dict[int, int]:
    """{problem id: quarters running it has been named}, in one query for all of them."""
    periods = {}
    for problem_id, year, quarter in ProblemMention.objects.filter(problem__in=problems).values_list(
            "problem_id", "report__year", "report__quarter"):
        periods.setdefault(problem_id, []).append((year, quarter))
    return {problem.id: _running(periods.get(problem.id, [])) for problem in problems}


def _latest_progress(problems: list[Problem]) -> dict[int, tuple[str, str]]:
    """{problem id: (the latest progress reported, its period)}, in one query for all of them."""
    latest = {}
    for problem_id, text, year, quarter in (ProblemProgress.objects.filter(problem__in=problems).exclude(text="")
                                            .order_by("report__year", "report__quarter")
                                            .values_list("problem_id", "text", "report__year", "report__quarter")):
        latest[problem_id] = (text, period_name(year, quarter))
    return latest


def entries(problems: list[Problem], user: AbstractBaseUser | None = None, today: date | None = None) -> list[Entry]:
    """The problems as a page shows them: each with its age, its colour (given `today`), what
    `user` may do with it and its latest progress, in two queries for all of them."""
    ages, progress = _ages(problems), _latest_progress(problems)
    return [Entry(problem, ages[problem.id], colour(problem, today) if today else "",
                  tuple(available_actions(user, problem)) if user else (), *progress.get(problem.id, ("", "")))
            for problem in problems]


def open_entries(organization_id: int, user: AbstractBaseUser | None = None) -> list[Entry]:
    """The body's entries not yet closed, oldest first, each with its age and what `user` may
    do with it: a few queries however many entries."""
    problems = list(Problem.objects.filter(organization_id=organization_id, status__in=STILL_OPEN)
                    .select_related("closing_proposed_by")
                    .order_by("found_year", "found_quarter", "id"))
    return entries(problems, user)


@transaction.atomic
def open_early(report: Report, text: str, *, actor: AbstractBaseUser) -> Problem:
    """A problem of a report not yet approved, entered in the ledger by its drafter now (its
    measures and deadline can then be set while the report is written). The approval finds it
    there and names it again rather than entering it twice."""
    entries_now = list(Problem.objects.select_for_update().filter(organization_id=report.organization_id))
    return _open_alike(entries_now, text) or _enter(report, text, actor=actor, comment=_("起草人在报告审定前列入台账。"))


def found_now(report: Report):
    """The entries the report's own problems opened before its approval (open_early), still open."""
    return Problem.objects.filter(organization_id=report.organization_id, found_year=report.year,
                                  found_quarter=report.quarter, status__in=STILL_OPEN)


def _open_alike(entries: list[Problem], text: str) -> Problem | None:
    """The entry not yet closed that words `text` alike, if any."""
    return next((entry for entry in entries if entry.status in STILL_OPEN and same_problem(entry.text, text)), None)


def _enter(report: Report, text: str, *, actor: AbstractBaseUser | None, comment: str = "") -> Problem:
    """A new entry, found in the report's quarter, with its 列入台账 event."""
    problem = Problem(organization_id=report.organization_id, text=text, found_year=report.year,
                      found_quarter=report.quarter)
    problem._history_user = actor
    problem.save()
    ProblemEvent.objects.create(problem=problem, action=FOUND, from_status="", to_status=OPEN, actor=actor,
                                report=report, comment=comment)
    return problem


# The ledger page ----------------------------------------------------------------------------

CLOSED_COLOUR, OVERDUE, SOON = "closed", "overdue", "soon"  # 已整改 (green), 逾期 (red), 即将到期 (blue)


def soon_days() -> int:
    return settings.JIBAO_LEDGER_SOON_DAYS


def overdue_condition(today: date) -> Q:
    """Still open and past its 整改时限: the red of `colour`, for the queries that count or filter by it."""
    return Q(status__in=STILL_OPEN, deadline__lt=today)


def colour(problem: Problem, today: date) -> str:
    """The entry's colour in the ledger: green once closed; red past its 整改时限; blue within
    JIBAO_LEDGER_SOON_DAYS of it; none otherwise."""
    if problem.status == CLOSED:
        return CLOSED_COLOUR
    if problem.deadline is None:
        return ""
    if problem.deadline < today:
        return OVERDUE
    return SOON if problem.deadline <= today + timedelta(days=soon_days()) else ""


def ledger_bodies(user: AbstractBaseUser) -> QuerySet[Organization]:
    """The bodies whose ledger the user reads: their own (as drafter or reviewer) and those they
    oversee. A query, not a list: a province's overseer oversees tens of thousands."""
    own = {organization_id for organization_id, role in memberships(user) if role != OVERSEER}
    return Organization.objects.filter(Q(pk__in=own) | Q(pk__in=overseen(user).values("pk")))


def ledger_rows(organization_ids, *, today: date, user: AbstractBaseUser | None = None,
                organization_id: int | None = None, status: str = "", found_year: int | None = None,
                overdue: bool = False) -> list[Entry]:
    """The entries of these bodies as the ledger page lists them (filtered), each with its age,
    colour and what `user` may do with it: a few queries however many entries."""
    problems = (Problem.objects.filter(organization_id__in=organization_ids)
                .select_related("organization", "closing_proposed_by"))
    if organization_id is not None:
        problems = problems.filter(organization_id=organization_id)
    if status:
        problems = problems.filter(status=status)
    if found_year is not None:
        problems = problems.filter(found_year=found_year)
    if overdue:
        problems = problems.filter(overdue_condition(today))
    return entries(list(problems.order_by("organization__name", "found_year", "found_quarter", "id")), user, today)


def problem_counts(organization_ids, today: date) -> dict[int, tuple[int, int]]:
    """{body id: (entries not closed, of which past their 整改时限)} for the board: one query."""
    rows = (Problem.objects.filter(organization_id__in=organization_ids, status__in=STILL_OPEN)
            .values("organization_id")
            .annotate(still_open=Count("id"), overdue=Count("id", filter=overdue_condition(today))))
    return {row["organization_id"]: (row["still_open"], row["overdue"]) for row in rows}


def colour_counts(rows) -> dict[str, int]:
    """{colour: entries of that colour} for the legend, on the page and in the sheet."""
    rows = list(rows)
    return {colour: sum(1 for row in rows if row.colour == colour) for colour in (OVERDUE, SOON, CLOSED_COLOUR)}
