"""Who may see what: the one place for the visibility rule.

A drafter or reviewer sees the reports of their own body; an overseer sees their body
and every body below it. Anything else does not exist for them (404, never 403, so
that the names of other bodies' reports do not leak).
"""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.db.models import CharField, F, Func, Q, QuerySet

from reports.models import Membership, Organization, Report
from reports.tree import subtree, subtrees


def memberships(user: AbstractBaseUser) -> tuple[tuple[int, str], ...]:
    """The user's (organization id, role) pairs. Read once per user object and kept on it: in a
    view that is once per request (request.user is loaded for each request), where the list,
    the editor and the navigation bar each asked again."""
    if not user.is_authenticated:
        return ()
    cached = getattr(user, "_jibao_memberships", None)
    if cached is None:
        cached = tuple(Membership.objects.filter(user=user).values_list("organization_id", "role"))
        user._jibao_memberships = cached
    return cached


def visible_organizations(user: AbstractBaseUser) -> QuerySet[Organization]:
    """The bodies whose reports the user sees: their own bodies, and those they oversee with every
    body below (any depth). A query over the tree's paths (reports.tree), not a list of ids: an
    overseer of a province sees tens of thousands, and every page filters on it in the database."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    own, overseen = set(), set()
    for organization_id, role in memberships(user):
        (overseen if role == Membership.Role.OVERSEER else own).add(organization_id)
    condition = Q(pk__in=own | overseen)
    if overseen:
        # The ranges of the paths themselves, not `pk IN (a subquery of them)`: a page that walks
        # the bodies by name (the list's body choices) then tests each row and stops after a page,
        # where the subquery is first built whole, 30,000 ids for a province.
        condition |= subtrees(Organization.objects.filter(pk__in=overseen).values_list("path", flat=True))
    return Organization.objects.filter(condition)


# Past this many visible bodies, a page of their reports is found sooner by walking the reports
# in the list's order (the index report_list_order, stopping after one page) and testing each
# one's body through the join, than by gathering every visible body's reports and sorting them.
# PostgreSQL weighs the two ways from its statistics. SQLite's planner takes the second whenever
# an index on the bodies' path can serve the condition, so there the condition reads the path
# as `+path`, which SQLite documents as the way to keep an index out of a plan.
MANY_VISIBLE_BODIES = 200


def visible_reports(user: AbstractBaseUser, reports: QuerySet[Report]) -> QuerySet[Report]:
    """The reports of visible_organizations(user) among `reports` (Report.objects.visible_to).
    The condition is worked out once per user object (two short queries), as memberships() is."""
    if not user.is_authenticated:
        return reports.none()
    if user.is_superuser:
        return reports
    cached = getattr(user, "_jibao_visible_reports", None)
    if cached is None:
        cached = user._jibao_visible_reports = _visible_report_condition(user)
    aliases, condition = cached
    return reports.alias(**aliases).filter(condition)


def _visible_report_condition(user) -> tuple[dict, Q]:
    own, overseen = set(), set()
    for organization_id, role in memberships(user):
        (overseen if role == Membership.Role.OVERSEER else own).add(organization_id)
    paths = list(Organization.objects.filter(pk__in=overseen).order_by().values_list("path", flat=True))
    in_subtrees = Q()
    for path in paths:
        in_subtrees |= subtree(path)
    if not paths or Organization.objects.filter(in_subtrees).order_by()[:MANY_VISIBLE_BODIES].count() < MANY_VISIBLE_BODIES:
        return {}, Q(organization__in=visible_organizations(user))
    aliases, field = {}, "organization__path"
    if connection.vendor == "sqlite":
        aliases, field = {"body_path": Func(F(field), template="+%(expressions)s", output_field=CharField())}, "body_path"
    condition = Q(organization_id__in=own)
    for path in paths:
        condition |= subtree(path, field)
    return aliases, condition


def visible_organization_ids(user: AbstractBaseUser) -> set[int]:
    return set(visible_organizations(user).values_list("id", flat=True))


def is_overseer(user: AbstractBaseUser) -> bool:
    """Whether the user may open the 督办 pages (the board, the summary), and so whether the
    navigation bar offers them: a superuser, or an overseer of a body that has bodies below.
    An overseer of a body with none below has nobody to follow, so for them there are no
    such pages. Kept on the user object like memberships(): the bar and the page both ask."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_jibao_is_overseer", None)
    if cached is None:
        roots = [organization_id for organization_id, role in memberships(user) if role == Membership.Role.OVERSEER]
        cached = bool(roots) and Organization.objects.filter(parent_id__in=roots).exists()
        user._jibao_is_overseer = cached
    return cached


def sees_other_bodies_texts(user: AbstractBaseUser, report: Report) -> bool:
    """Whether the user may see which other bodies a report's text is like, and their texts: an
    overseer of a body above the report's (or a superuser). Its drafters and reviewers may not."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    overseen = [organization_id for organization_id, role in memberships(user) if role == Membership.Role.OVERSEER]
    return bool(overseen) and Organization.objects.under(overseen, include_roots=False).filter(pk=report.organization_id).exists()


def supervising_body_ids(organization_ids) -> dict[int, int | None]:
    """{body id: the id of the body its reports are 报送ed to}: the nearest body above with an
    overseer (a 派驻纪检监察组, the 市纪委), or None at the top of the tree. One query: the tree
    keeps it on each body (Organization.supervisor, reports.tree)."""
    found = dict(Organization.objects.filter(pk__in=set(organization_ids)).values_list("id", "supervisor_id"))
    return {organization_id: found.get(organization_id) for organization_id in organization_ids}


def supervising_body(organization: Organization) -> Organization | None:
    """The body a report of this body is 报送ed to (supervising_body_ids)."""
    supervisor_id = supervising_body_ids([organization.pk])[organization.pk]
    return Organization.objects.get(pk=supervisor_id) if supervisor_id is not None else None


def supervised_ids(user: AbstractBaseUser) -> set[int]:
    """The bodies whose reports are 报送ed to a body the user oversees: below it, down to (and
    including) the next bodies that have overseers of their own, whose bodies report to them.
    One query, kept on the user object like memberships()."""
    cached = getattr(user, "_jibao_supervised", None)
    if cached is not None:
        return cached
    overseen = {organization_id for organization_id, role in memberships(user) if role == Membership.Role.OVERSEER}
    found = set(Organization.objects.filter(supervisor_id__in=overseen).values_list("id", flat=True)) if overseen else set()
    user._jibao_supervised = found
    return found


def supervises(user: AbstractBaseUser, report: Report) -> bool:
    """Whether the user is an overseer of the body the report is 报送ed to: who 签收s it or sends it back."""
    return user.is_authenticated and report.organization_id in supervised_ids(user)


def organizations_with_role(user: AbstractBaseUser, role: str) -> QuerySet[Organization]:
    """The bodies in which the user holds this role (e.g. where they may draft)."""
    return Organization.objects.filter(memberships__user=user, memberships__role=role).distinct()


# The statuses in which the body's drafters may change a report. In every other one (under
# review, approved) it is frozen: in the editor, in every write and in the admin alike.
EDITABLE_STATUSES = (Report.Status.DRAFT, Report.Status.RETURNED)
FROZEN_STATUSES = tuple(status for status in Report.Status if status not in EDITABLE_STATUSES)


def is_drafter(user: AbstractBaseUser, organization_id: int) -> bool:
    return (organization_id, Membership.Role.DRAFTER) in memberships(user)


def can_edit(user: AbstractBaseUser, report: Report) -> bool:
    """Only the body's drafters, only while the report is a draft or returned for revision, and
    only while the body's input is open (reports.tracking.deadlines.input_closed)."""
    return (report.status in EDITABLE_STATUSES and is_drafter(user, report.organization_id)
            and not closed_now(report))


def closed_now(report: Report) -> bool:
    from django.utils import timezone

    from reports.tracking.deadlines import input_closed, local_date  # deadlines reads this module's rules

    return input_closed(report, local_date(timezone.now()))


def drafter_organizations(user: AbstractBaseUser) -> QuerySet[Organization]:
    """The bodies in which the user may start a report."""
    return organizations_with_role(user, Membership.Role.DRAFTER)


def can_comment(user: AbstractBaseUser, report: Report) -> bool:
    """The holders of the review step a report waits at (or their 代审 substitutes) comment on it
    while it waits there; the overseers of the body it is 报送ed to, while it awaits their 签收."""
    if not user.is_authenticated:
        return False
    if report.status == Report.Status.SUBMITTED:
        from django.utils import timezone

        from reports.review.chain import decider
        from reports.tracking.deadlines import local_date

        return decider(user, report, local_date(timezone.now()))[0]
    return report.status == Report.Status.APPROVED and supervises(user, report)
