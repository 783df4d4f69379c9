"""Sibling order: positions are compact (1..n) and unique among siblings.

Positions are rewritten in two steps because a unique constraint is checked row by row on
both SQLite and PostgreSQL: first every sibling is lifted above any position in use, then
each is set to its new place; no intermediate state ever holds two equal positions.

A position is part of what prints (it is the part's number, 一是/二是), so every part whose
position changes gets a record in django-simple-history's trail, naming the user whose change
it follows from: the same trail as a text edit, read by the timeline and by workflow.took_part.
"""

from collections.abc import Sequence

from django.db.models import F, QuerySet
from simple_history.utils import bulk_update_with_history

from reports.models import Heading, Item, Section

LIFT = 1_000_000


def siblings(obj: Section | Heading | Item) -> QuerySet[Section | Heading | Item]:
    """The queryset of `obj`'s siblings (itself included), in order."""
    if isinstance(obj, Section):
        return Section.objects.filter(report_id=obj.report_id).order_by("position")
    if isinstance(obj, Heading):
        return Heading.objects.filter(section_id=obj.section_id).order_by("position")
    if isinstance(obj, Item):
        if obj.heading_id:
            return Item.objects.filter(heading_id=obj.heading_id).order_by("position")
        return Item.objects.filter(section_id=obj.section_id, heading__isnull=True).order_by("position")
    raise TypeError(f"no siblings for {type(obj).__name__}")


def list_key(obj: Section | Heading | Item) -> tuple:
    """Which list `obj` stands in: two parts are siblings when their keys are equal."""
    if isinstance(obj, Section):
        return ("section", obj.report_id)
    if isinstance(obj, Heading):
        return ("heading", obj.section_id)
    if isinstance(obj, Item):
        return ("item", obj.section_id, obj.heading_id)
    raise TypeError(f"no list for {type(obj).__name__}")


def write_order(queryset: QuerySet[Section | Heading | Item], ordered: Sequence[Section | Heading | Item], *,
                user=None) -> None:
    """Give `ordered` (every object of `queryset`, in the new order) the positions 1..n, and record
    each object whose position changed in the trail as changed by `user`."""
    queryset.update(position=F("position") + LIFT)
    moved = []
    for position, obj in enumerate(ordered, 1):
        if obj.position != position:
            moved.append(obj)
        obj.position = position
    if ordered:
        type(ordered[0]).objects.bulk_update(ordered, ["position"])
    if moved:
        # No second UPDATE (fields=[]): the rows are written above; this only adds their records.
        bulk_update_with_history(moved, type(moved[0]), [], default_user=user)


def insert_after(obj: Section | Heading | Item, after: Section | Heading | Item | None = None) -> Section | Heading | Item:
    """Save the new `obj` right after `after` (a sibling), or last when `after` is None. The
    siblings it pushes down are recorded as changed by obj's `_history_user`, its own author."""
    if after is not None and list_key(after) != list_key(obj):
        raise ValueError(f"{after!r} is not in the list {obj!r} goes into")
    queryset = siblings(obj)
    current = list(queryset)
    obj.position = LIFT * 2 + len(current)  # a free position until the order is written
    obj.save()
    index = len(current) if after is None else next(i for i, s in enumerate(current) if s.pk == after.pk) + 1
    current.insert(index, obj)
    write_order(queryset, current, user=getattr(obj, "_history_user", None))
    return obj


def move(obj: Section | Heading | Item, step: int, *, user=None) -> bool:
    """Move `obj` up (step −1) or down (+1) among its siblings, for `user`; at either end nothing
    changes."""
    queryset = siblings(obj)
    current = list(queryset)
    index = next(i for i, s in enumerate(current) if s.pk == obj.pk)
    target = index + step
    if not 0 <= target < len(current):
        return False
    current[index], current[target] = current[target], current[index]
    write_order(queryset, current, user=user)
    return True


def close_gap(obj: Section | Heading | Item) -> None:
    """After `obj` is deleted: renumber what is left so positions stay compact, recorded as
    changed by obj's `_history_user`, who deleted it."""
    queryset = siblings(obj)
    write_order(queryset, list(queryset), user=getattr(obj, "_history_user", None))
