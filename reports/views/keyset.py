"""Keyset pagination of the report list: newest period first, then the body's id.

A page is asked for by the key of the row it follows (?after=) or precedes (?before=), never by
its number: the database walks the index `report_list_order` from that key and stops after one
page, where OFFSET would read and throw away every row before it and the paginator's COUNT would
read every visible report. The total is counted up to COUNT_LIMIT only: a province's list says
"1,000 份以上" rather than reading 360,000 rows to print the exact figure.

Ordering by the body's id rather than its name keeps the order inside the one index: a body's
reports keep the place its registration gave it, and the filters (body, year, quarter, status,
text) narrow the list when a name is wanted.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from reports.models import Report

PAGE_SIZE = 25
COUNT_LIMIT = 1000

# Each column with whether it runs downwards in the list (the index has the same directions).
ORDER = (("year", True), ("period_order", True), ("organization_id", False))


@dataclass
class Page:
    object_list: list[Report]
    # The cursors of the neighbouring pages (None: there is none).
    previous_cursor: str | None
    next_cursor: str | None
    # How many reports the filters leave, counted up to COUNT_LIMIT + 1.
    count: int

    @property
    def has_other_pages(self):
        return bool(self.previous_cursor or self.next_cursor)

    count_limit = COUNT_LIMIT

    @property
    def count_is_capped(self):
        return self.count > COUNT_LIMIT


def cursor_of(report: Report) -> str:
    return ".".join(str(getattr(report, column)) for column, _down in ORDER)


def parse_cursor(value: str | None) -> tuple[int, ...] | None:
    """"2025.4.1203" → (2025, 4, 1203); anything else (a stale or edited link) → None: the first page."""
    parts = (value or "").split(".")
    if len(parts) != len(ORDER) or not all(part.isdigit() and len(part) <= 10 for part in parts):
        return None
    return tuple(int(part) for part in parts)


def beyond(key: tuple[int, ...], forwards: bool) -> Q:
    """The rows after `key` in the list's order (forwards) or before it: the lexicographic
    comparison spelled out column by column, which both databases serve from the index."""
    condition, equal = Q(), Q()
    for (column, down), value in zip(ORDER, key, strict=True):
        later = "lt" if down == forwards else "gt"
        condition |= equal & Q(**{f"{column}__{later}": value})
        equal &= Q(**{column: value})
    # The same bound on the first column alone, redundant but a range the index can seek to:
    # without it a planner may walk the index from its start and test the OR on every row.
    (first, down), = ORDER[:1]
    return Q(**{f"{first}__{'lte' if down == forwards else 'gte'}": key[0]}) & condition


def ordered(queryset: QuerySet[Report], forwards: bool = True) -> QuerySet[Report]:
    return queryset.order_by(*(("-" if down == forwards else "") + column for column, down in ORDER))


def get_page(queryset: QuerySet[Report], *, after: str | None = None, before: str | None = None,
             size: int | None = None) -> Page:
    """The page that follows the report `after` names, or precedes the one `before` names, or the
    first. Three short queries: the page (one row more, to know whether another follows), whether
    any row lies on the other side, and the capped count."""
    size = size or PAGE_SIZE
    key_after, key_before = parse_cursor(after), parse_cursor(before)
    forwards = key_before is None
    key = key_after if forwards else key_before
    rows = ordered(queryset.filter(beyond(key, forwards)) if key else queryset, forwards)
    found = list(rows[:size + 1])
    more = len(found) > size
    found = found[:size]
    if not forwards:
        found.reverse()
    if not found:
        return Page([], None, None, _count(queryset))
    # Is there a page on the side we came from? One row of the index says.
    behind = queryset.filter(beyond(_key(found[0]), False) if forwards else beyond(_key(found[-1]), True))
    other_side = key is not None and behind.exists()
    if forwards:
        previous, following = other_side, more
    else:
        previous, following = more, other_side
    return Page(
        found,
        previous_cursor=cursor_of(found[0]) if previous else None,
        next_cursor=cursor_of(found[-1]) if following else None,
        count=_count(queryset),
    )


def _key(report: Report) -> tuple[int, ...]:
    return tuple(getattr(report, column) for column, _down in ORDER)


def _count(queryset: QuerySet[Report]) -> int:
    return queryset.order_by()[:COUNT_LIMIT + 1].count()
