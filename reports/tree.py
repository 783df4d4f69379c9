"""The tree of bodies as a materialised path: "all bodies below X" and "counts per child of X" as
one indexed query each, whatever the depth.

Each body stores `path`, the ids of its ancestors and its own, each written as SEGMENT digits
(省纪委 1 → "00000001", a 市纪委 17 below it → "0000000100000017"), its `depth` (0 at a root) and
its `supervisor`, the nearest body above it that has overseers: the body its reports are 报送ed
to. `parent` stays the one thing a person edits (in the admin, the fixtures); the three fields are
derived from it and from the overseers' memberships, here and nowhere else.

Why a path we keep ourselves rather than django-treebeard, django-mptt or a recursive CTE
(django-tree-queries): treebeard's and mptt's nodes replace the `parent` key that the admin, the
demo, the fixtures, the backup and fifteen modules use with their own API for adding and moving
nodes; a recursive CTE walks the tree from its roots on every request, 30,000 rows for a province,
where a path answers "below X" with a range scan of one index. The path needs two operations,
written once below: set it when a body is saved (and rewrite its subtree's prefix when it moves),
and rebuild everything after a bulk load.

Paths hold digits only, and a subtree is the range [path, successor(path)): a range on a plain
index works on SQLite and on PostgreSQL whatever the column's collation, where LIKE 'x%' needs a
pattern index on PostgreSQL and a case-sensitive setting on SQLite.
"""

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr

SEGMENT = 8  # digits per id: up to 99,999,999 bodies
MAX_DEPTH = 30  # Organization.path is 255 characters long


def segment(pk: int) -> str:
    return f"{pk:0{SEGMENT}d}"


def successor(path: str) -> str:
    """The first path after every path that starts with `path` (same length, plus one)."""
    return str(int(path) + 1).zfill(len(path))


def subtree(path: str, field: str = "path") -> Q:
    """The body with this path and every body below it; `field` names the path through a relation
    ("organization__path" for reports)."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": successor(path)})


def subtrees(paths, field: str = "path") -> Q:
    """The bodies with these paths and every body below any of them (nothing for no paths)."""
    within = Q(pk__in=[])
    for path in paths:
        within |= subtree(path, field)
    return within


def below(path: str, field: str = "path") -> Q:
    """Every body strictly below the body with this path."""
    return subtree(path, field) & ~Q(**{field: path})


def child_key(path: str, field: str = "path"):
    """An expression giving, for a body below the body with this path, the path of the child of
    that body it lies under: what "counts per child" groups by."""
    return Substr(field, 1, len(path) + SEGMENT)


def ancestor_ids(path: str) -> list[int]:
    """The ids of the body's ancestors, the root first, then its own id: read from the path alone."""
    return [int(path[start:start + SEGMENT]) for start in range(0, len(path), SEGMENT)]


class TreeCycle(ValueError):
    """A body placed below itself."""


def place(organization, old_path: str) -> None:
    """After `organization` was saved: its path and depth from its parent's, its subtree's prefix
    rewritten if it moved, and the supervisors of the subtree refreshed. A few queries, and one
    UPDATE for the whole subtree however large."""
    Organization = type(organization)
    parent_supervisor = None
    if organization.parent_id is None:
        new_path, depth = segment(organization.pk), 0
    else:
        parent_path, parent_depth, parent_supervisor = Organization.objects.values_list(
            "path", "depth", "supervisor_id").get(pk=organization.parent_id)
        if old_path and parent_path.startswith(old_path):
            raise TreeCycle(organization.pk)
        new_path, depth = parent_path + segment(organization.pk), parent_depth + 1
    if not old_path:
        # A new body has nobody below it: its supervisor is its parent if the parent has overseers,
        # else the parent's own. Two more queries, not a read of the subtree.
        supervisor = None
        if organization.parent_id is not None:
            from reports.models import Membership

            parent_overseen = Membership.objects.filter(organization_id=organization.parent_id, role="overseer").exists()
            supervisor = organization.parent_id if parent_overseen else parent_supervisor
        Organization.objects.filter(pk=organization.pk).update(path=new_path, depth=depth, supervisor_id=supervisor)
        organization.path, organization.depth, organization.supervisor_id = new_path, depth, supervisor
        return
    if new_path != organization.path or depth != organization.depth:
        with transaction.atomic():
            if old_path != new_path:
                Organization.objects.filter(below(old_path)).update(
                    path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                    depth=F("depth") + (depth - organization.depth))
            Organization.objects.filter(pk=organization.pk).update(path=new_path, depth=depth)
        organization.path, organization.depth = new_path, depth
        refresh_supervisors(Organization, new_path)


def _overseen(Membership) -> set[int]:
    return set(Membership.objects.filter(role="overseer").values_list("organization_id", flat=True).distinct())


def refresh_supervisors(Organization, path: str, Membership=None) -> None:
    """Recompute `supervisor` for the body with this path and every body below it: after its
    parent or its overseers changed. One read of the subtree, one write of what changed, and the
    board's counts above the bodies whose supervisor changed recounted after the commit (a
    migration passes its historical Membership and has no counts to keep)."""
    recount = Membership is None
    if Membership is None:
        from reports.models import Membership
    with_overseers = _overseen(Membership)
    ancestors = ancestor_ids(path)[:-1]
    above = next((pk for pk in reversed(ancestors) if pk in with_overseers), None)
    rows = list(Organization.objects.filter(subtree(path)).order_by("path").only("id", "parent_id", "supervisor_id"))
    supervisor = {}
    changed = []
    touched = set()
    for row in rows:  # parents come before their children in path order
        if row.parent_id is None:
            found = None
        elif row.parent_id in with_overseers:
            found = row.parent_id
        else:
            found = supervisor.get(row.parent_id, above)
        supervisor[row.id] = found
        if row.supervisor_id != found:
            # The body's warning days change, and whether its old and new supervisors report.
            touched.update(pk for pk in (row.id, row.supervisor_id, found) if pk is not None)
            row.supervisor_id = found
            changed.append(row)
    Organization.objects.bulk_update(changed, ["supervisor"], batch_size=1000)
    if recount and touched:
        from reports.tracking.tallies import recount_later

        recount_later(touched)


def rebuild(Organization, Membership) -> None:
    """Every body's path, depth and supervisor from the parents and the memberships: after a bulk
    load (bulk_create bypasses save()) and in the migration that added them. Takes the model
    classes so that a migration can pass its historical ones."""
    rows = list(Organization.objects.only("id", "parent_id", "path", "depth"))
    by_id = {row.id: row for row in rows}
    paths: dict[int, tuple[str, int]] = {}

    def path_of(row, seen=()):
        if row.id not in paths:
            if row.parent_id is None:
                paths[row.id] = (segment(row.id), 0)
            else:
                if row.id in seen:
                    raise TreeCycle(row.id)
                parent_path, parent_depth = path_of(by_id[row.parent_id], (*seen, row.id))
                paths[row.id] = (parent_path + segment(row.id), parent_depth + 1)
        return paths[row.id]

    changed = []
    for row in rows:
        path, depth = path_of(row)
        if (row.path, row.depth) != (path, depth):
            row.path, row.depth = path, depth
            changed.append(row)
    Organization.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
    for root in Organization.objects.filter(parent__isnull=True).values_list("path", flat=True):
        refresh_supervisors(Organization, root, Membership)


def _membership_saved(sender, instance, **kwargs):
    was = getattr(instance, "_tree_role", None)
    if instance.role == "overseer" or was == "overseer":
        from reports.models import Organization

        path = Organization.objects.filter(pk=instance.organization_id).values_list("path", flat=True).first()
        if path:
            refresh_supervisors(Organization, path)
    instance._tree_role = instance.role


def _membership_loaded(sender, instance, **kwargs):
    # From __dict__: a deferred role (a query with .only()) must not cost a query per row.
    instance._tree_role = instance.__dict__.get("role")


def _membership_deleted(sender, instance, **kwargs):
    if instance.role == "overseer":
        from reports.models import Organization

        path = Organization.objects.filter(pk=instance.organization_id).values_list("path", flat=True).first()
        if path:
            refresh_supervisors(Organization, path)


def connect_signals() -> None:
    """A body that gains or loses its overseers changes whom the bodies below it report to."""
    from django.db.models.signals import post_delete, post_init, post_save

    from reports.models import Membership

    post_init.connect(_membership_loaded, sender=Membership, dispatch_uid="tree-membership-loaded")
    post_save.connect(_membership_saved, sender=Membership, dispatch_uid="tree-membership-saved")
    post_delete.connect(_membership_deleted, sender=Membership, dispatch_uid="tree-membership-deleted")
