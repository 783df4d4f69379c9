"""Sibling order: positions are compact (1..n) and unique among siblings.

Positions are rewritten in two steps because a unique constraint is checked row by row on
both SQLite and PostgreSQL: first every sibling is lifted above any position in use, then
each is set to its new place; no intermediate state ever holds two equal positions.
"""

from collections.abc import Sequence

from django.db.models import F, QuerySet

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


def write_order(queryset: QuerySet[Section | Heading | Item], ordered: Sequence[Section | Heading | Item]) -> None:
    """Give `ordered` (every object of `queryset`, in the new order) the positions 1..n."""
    queryset.update(position=F("position") + LIFT)
    for position, obj in enumerate(ordered, 1):
        obj.position = position
    if ordered:
        type(ordered[0]).objects.bulk_update(ordered, ["position"])


def insert_after(obj: Section | Heading | Item, after: Section | Heading | Item | None = None) -> Section | Heading | Item:
    """Save the new `obj` right after `after` (a sibling), or last when `after` is None."""
    if after is not None and list_key(after) != list_key(obj):
        raise ValueError(f"{after!r} is not in the list {obj!r} goes into")
    queryset = siblings(obj)
    current = list(queryset)
    obj.position = LIFT * 2 + len(current)  # a free position until the order is written
    obj.save()
    index = len(current) if after is None else next(i for i, s in enumerate(current) if s.pk == after.pk) + 1
    current.insert(index, obj)
    write_order(queryset, current)
    return obj


def move(obj: Section | Heading | Item, step: int) -> bool:
    """Move `obj` up (step −1) or down (+1) among its siblings; at either end nothing changes."""
    queryset = siblings(obj)
    current = list(queryset)
    index = next(i for i, s in enumerate(current) if s.pk == obj.pk)
    target = index + step
    if not 0 <= target < len(current):
        return False
    current[index], current[target] = current[target], current[index]
    write_order(queryset, current)
    return True


def close_gap(obj: Section | Heading | Item) -> None:
    """After `obj` is deleted: renumber what is left so positions stay compact."""
    queryset = siblings(obj)
    write_order(queryset, list(queryset))
