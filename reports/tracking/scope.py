"""Who oversees what: the bodies below an overseer's own, which the board and the summary cover.

Whether a user may open the 督办 pages at all is reports.access.is_overseer. Both pages drill down
the tree the same way, one level per click (Level, drill_level): one rule for which ?group= a user
may open and what its breadcrumb is."""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet

from reports import tree
from reports.models import Membership, Organization


def overseen_roots(user: AbstractBaseUser) -> set[int]:
    """The bodies in which the user is an overseer (for a superuser, the roots of the tree)."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Organization.objects.filter(parent__isnull=True).values_list("id", flat=True))
    return set(Membership.objects.filter(user=user, role=Membership.Role.OVERSEER).values_list("organization_id", flat=True))


def overseen(user: AbstractBaseUser) -> QuerySet[Organization]:
    """The bodies BELOW the bodies in which the user is an overseer (not those bodies themselves:
    the supervising body does not report to itself); for a superuser every body that has a parent.
    An overseen body that is itself below another overseen body is kept. A query over index ranges
    of the tree's paths (reports.tree), not a list of ids: a province has tens of thousands."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.filter(parent__isnull=False)
    return Organization.objects.under(overseen_roots(user), include_roots=False)


def oversees(user: AbstractBaseUser, organization: Organization) -> bool:
    """Whether the body is in overseen(user), from its path alone: the roots' paths are read once
    per user object, so a page that asks for each of its entries asks the database once."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return organization.parent_id is not None
    paths = getattr(user, "_jibao_overseen_paths", None)
    if paths is None:
        paths = user._jibao_overseen_paths = list(
            Organization.objects.filter(pk__in=overseen_roots(user)).values_list("path", flat=True))
    return any(organization.path.startswith(path) and organization.path != path for path in paths)


def overseen_ids(user: AbstractBaseUser) -> set[int]:
    """overseen(user) as a set of ids, for the pages that show each body."""
    return set(overseen(user).values_list("id", flat=True))


@dataclass
class Level:
    """One page of a drill-down by the tree, the board's and the summary's alike (?group=ID): the
    body whose children the page shows, or None for several roots side by side (a superuser's or a
    several-body overseer's first page), and the overseer's own bodies it lies below."""

    roots: list[Organization]
    body: Organization | None

    @property
    def group(self) -> Organization | None:
        """The body asked for when it lies below the overseer's own: what the breadcrumb ends on
        and the page is titled with. None on the first page."""
        if self.body is None or any(self.body.path == root.path for root in self.roots):
            return None
        return self.body

    @property
    def prefix(self) -> str:
        """The path tree.child_key cuts the children's paths after ("" for the roots)."""
        return "" if self.body is None else self.body.path

    def tally_nodes(self) -> list[int]:
        """The bodies whose kept counts (tracking.tallies) cover this page's bodies: the group's,
        else the overseer's own (or the roots). Each has bodies below it (drill_level never opens
        on one that has none), so each has its counts kept."""
        return [self.group.pk] if self.group is not None else [root.pk for root in self.roots]

    def within(self, bodies: QuerySet[Organization]) -> QuerySet[Organization]:
        """These bodies (the overseen ones) restricted to the group's subtree, the group's own included."""
        return bodies if self.group is None else bodies.filter(tree.subtree(self.group.path))

    def children(self) -> list[Organization]:
        """The bodies directly below, one row each on the page: one query (none for the roots)."""
        if self.body is None:
            return self.roots
        return list(Organization.objects.filter(parent=self.body).only("id", "name", "path", "parent_id"))

    def trail(self) -> list[Organization]:
        """The bodies from below the overseer's own down to this one, for the breadcrumb: one query."""
        if self.body is None:
            return []
        top = next(root for root in self.roots if self.body.path.startswith(root.path))
        ids = tree.ancestor_ids(self.body.path)[len(tree.ancestor_ids(top.path)):]
        found = Organization.objects.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def with_bodies_below(bodies: list[Organization]) -> set[int]:
    """The ids of those of these bodies that have bodies below them (the rows that go one level
    down): one query."""
    return set(Organization.objects.filter(parent__in=bodies).values_list("parent_id", flat=True).distinct())


def drill_level(user: AbstractBaseUser, group_id: int | None) -> Level:
    """The page of the tree asked for: `group_id` when it is one of the overseer's bodies or below
    one, else the overseer's body when there is one, else the roots side by side. An id outside the
    overseer's bodies is ignored, not refused: the page opens at the top, as from a stale link; a
    body with nobody below it (no longer) opens the page of the body above it, where it is a row.
    Two queries, four with a group."""
    roots = Organization.objects.filter(pk__in=overseen_roots(user)).only("id", "name", "path", "parent_id")
    roots = _outermost(list(roots))
    if group_id is not None:
        asked = Organization.objects.filter(pk=group_id).only("id", "name", "path", "parent_id").first()
        if asked is not None and not Organization.objects.filter(parent=asked).exists():
            asked = Organization.objects.filter(pk=asked.parent_id).only("id", "name", "path", "parent_id").first()
        if asked is not None and any(asked.path.startswith(root.path) for root in roots):
            return Level(roots, asked)
    return Level(roots, roots[0] if len(roots) == 1 else None)


def _outermost(roots: list[Organization]) -> list[Organization]:
    """The overseer's bodies less those below another of them (its subtree covers theirs)."""
    return [root for root in roots if not any(other is not root and root.path.startswith(other.path) for other in roots)]


def reporting_bodies() -> QuerySet[Organization]:
    """The bodies that write the report: all but the supervising bodies that have bodies reporting
    to them (a 派驻纪检监察组, a 市纪委 seen from the province: they receive reports, they are counted
    at their own level). A body that has bodies below it and no overseers reports as well."""
    return Organization.objects.exclude(Exists(Organization.objects.filter(supervisor=OuterRef("pk"))))
