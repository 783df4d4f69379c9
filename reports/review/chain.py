"""A body's review chain: the steps a submitted report passes in order, and who decides each.

A body with no ReviewStep rows has one step, held by its 审核人: the product's first workflow.
A step that names people is held by them; a step that names nobody is held by the body's 审核人
who are not named in another step (a 主要负责人 who is also a 审核人 decides at their own step
only). Named people count only while they are members of the body, so that a step never hands a
report to someone who cannot open it. A substitute (代审) holds the steps of the person they stand
in for on the days of the Substitution, if they are a member of the body themselves.

Every function here takes the chains it needs in one query for many bodies, so that the inbox and
the board cost the same with one step or five.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q
from django.utils.translation import gettext as _

from reports.models import Membership, Report, ReviewStep, Substitution

REVIEWER = Membership.Role.REVIEWER


@dataclass(frozen=True)
class Step:
    number: int  # 1 for the first
    name: str
    member_ids: frozenset[int] | None  # None: the body's 审核人 (not named elsewhere)
    last: bool


def default_chain() -> list[Step]:
    return [Step(1, _("审核"), None, True)]


def chains(organization_ids) -> dict[int, list[Step]]:
    """{body id: its steps in order} for the given bodies; the default chain where none is set.
    Two queries (the steps and their members), whatever the number of bodies and steps."""
    organization_ids = set(organization_ids)
    rows = ReviewStep.objects.filter(organization_id__in=organization_ids).order_by("organization_id", "position")
    rows = rows.prefetch_related("members") if organization_ids else rows.none()
    found: dict[int, list[ReviewStep]] = {}
    for row in rows:
        found.setdefault(row.organization_id, []).append(row)
    result = {}
    for organization_id in organization_ids:
        steps = found.get(organization_id)
        if not steps:
            result[organization_id] = default_chain()
            continue
        result[organization_id] = [
            Step(number, row.name, frozenset(member.pk for member in row.members.all()) or None, number == len(steps))
            for number, row in enumerate(steps, start=1)
        ]
    return result


def chain(organization_id: int) -> list[Step]:
    return chains([organization_id])[organization_id]


def steps_of(report: Report) -> list[Step]:
    """The chain of the report's body, read once per report object: a page asks for each button."""
    cached = getattr(report, "_jibao_chain", None)
    if cached is None or cached[0] != report.organization_id:
        cached = (report.organization_id, chain(report.organization_id))
        report._jibao_chain = cached
    return cached[1]


def current(report: Report, steps: list[Step]) -> Step:
    """The step a submitted report waits at. A chain shortened meanwhile leaves it at its last step."""
    return steps[min(max(report.review_step, 1), len(steps)) - 1]


def _named_elsewhere(step: Step, steps: list[Step]) -> set[int]:
    return {pk for other in steps if other is not step and other.member_ids for pk in other.member_ids}


def holds_directly(user_id: int, step: Step, steps: list[Step], roles: set[str], member: bool) -> bool:
    """Whether a user (with these roles in the body; `member`: any role at all) holds the step."""
    if not member:
        return False
    if step.member_ids is not None:
        return user_id in step.member_ids
    return REVIEWER in roles and user_id not in _named_elsewhere(step, steps)


@dataclass(frozen=True)
class Standing:
    """Whom a user may act for today: themselves and the people they substitute for."""

    user_id: int
    roles: dict[int, set[str]]  # body id → the user's roles there
    absent: dict[int, dict[int, set[str]]]  # absent user id → body id → their roles there

    def deciders(self, organization_id: int, step: Step, steps: list[Step]) -> list[int | None]:
        """None when the user holds the step themselves; else the absent users they hold it for."""
        member = organization_id in self.roles
        found: list[int | None] = []
        if holds_directly(self.user_id, step, steps, self.roles.get(organization_id, set()), member):
            found.append(None)
        if member:
            for absent_id, their_roles in self.absent.items():
                if organization_id in their_roles and holds_directly(
                        absent_id, step, steps, their_roles[organization_id], True):
                    found.append(absent_id)
        return found


def standing(user: AbstractBaseUser, today: date) -> Standing:
    """The user's roles and today's 代审: two queries, kept on the user object for the request."""
    from reports.access import memberships

    cached = getattr(user, "_jibao_standing", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    roles: dict[int, set[str]] = {}
    for organization_id, role in memberships(user):
        roles.setdefault(organization_id, set()).add(role)
    absent: dict[int, dict[int, set[str]]] = {}
    rows = Membership.objects.filter(
        user__substitutions__substitute=user, user__substitutions__starts__lte=today,
        user__substitutions__ends__gte=today,
    ).values_list("user_id", "organization_id", "role").distinct()
    for absent_id, organization_id, role in rows:
        absent.setdefault(absent_id, {}).setdefault(organization_id, set()).add(role)
    result = Standing(user.pk, roles, absent)
    user._jibao_standing = (today, result)
    return result


def decider(user: AbstractBaseUser, report: Report, today: date, *, step: Step | None = None) -> tuple[bool, int | None]:
    """(whether the user may decide the report's current step — or `step` — and, if only as a
    substitute, whom for). Acting for themselves comes first: a substitute who holds the step in
    their own right decides in their own name."""
    if not user.is_authenticated:
        return False, None
    steps = steps_of(report)
    step = step or current(report, steps)
    found = standing(user, today).deciders(report.organization_id, step, steps)
    if not found:
        return False, None
    return True, (None if None in found else found[0])


def last_step(organization_id: int) -> Step:
    return chain(organization_id)[-1]


def waiting_condition(user: AbstractBaseUser, today: date) -> Q | None:
    """The submitted reports that wait at a step this user holds (or holds for someone on leave):
    a condition on status and review_step per body, or None when there are none."""
    mine = standing(user, today)
    bodies = set(mine.roles)
    if not bodies:
        return None
    condition = Q()
    for organization_id, steps in chains(bodies).items():
        held = [step for step in steps if mine.deciders(organization_id, step, steps)]
        if not held:
            continue
        at = Q(review_step__in=[step.number for step in held if not step.last])
        if held[-1].last:  # a chain shortened meanwhile leaves reports past its end at its last step
            at |= Q(review_step__gte=held[-1].number)
        condition |= Q(organization_id=organization_id, status=Report.Status.SUBMITTED) & at
    return condition if condition else None


def holders(organization_id: int, step: Step, steps: list[Step], today: date) -> list[AbstractBaseUser]:
    """Who decides the step today: its holders and their substitutes (who hear of it too)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True, memberships__organization_id=organization_id)
    if step.member_ids is not None:
        direct = users.filter(pk__in=step.member_ids)
    else:
        direct = users.filter(memberships__role=REVIEWER).exclude(pk__in=_named_elsewhere(step, steps))
    direct_ids = set(direct.values_list("pk", flat=True))
    stand_ins = users.filter(stand_ins__absent_id__in=direct_ids, stand_ins__starts__lte=today,
                             stand_ins__ends__gte=today)
    return list(get_user_model().objects.filter(Q(pk__in=direct_ids) | Q(pk__in=stand_ins.values("pk"))).distinct())


def active_substitutions(user: AbstractBaseUser, today: date):
    """The user's own 代审 settings that have not ended yet, for the inbox's panel."""
    return Substitution.objects.filter(absent=user, ends__gte=today).select_related("substitute").order_by("starts")


@dataclass(frozen=True)
class StepProgress:
    step: Step
    state: str  # "done", "current" or "waiting"
    event: object | None  # the decision that passed it, in this round


def progress(report: Report) -> list[StepProgress]:
    """Where the report stands in its body's chain in the current round (since its last
    submission): each step passed, with its decision, the one it waits at, those to come. Empty
    for a one-step chain, whose state the status says already."""
    from reports.models import ReportEvent

    steps = steps_of(report)
    if len(steps) < 2 or report.status == Report.Status.DRAFT:
        return []
    events = list(report.events.select_related("actor", "on_behalf_of").order_by("-created_at", "-id")[:50])
    round_events = []
    for event in events:
        if event.action == ReportEvent.Action.SUBMIT:
            break
        round_events.append(event)
    decided = {event.step: event for event in reversed(round_events)
               if event.action in (ReportEvent.Action.PASS, ReportEvent.Action.APPROVE) and event.step}
    at = current(report, steps).number if report.status == Report.Status.SUBMITTED else None
    result = []
    for step in steps:
        if at is not None:
            state = "done" if step.number < at else "current" if step.number == at else "waiting"
        else:
            state = "done" if step.number in decided else "waiting"
        result.append(StepProgress(step, state, decided.get(step.number) if state == "done" else None))
    return result
