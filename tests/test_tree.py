"""The tree of bodies (reports.tree): paths, depths and supervisors kept from the parents and the
overseers; counts per child computed by the database equal to a brute-force count; the board's
queries constant in the number of bodies and in the depth."""

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import tree
from reports.labels import PERIODS
from reports.models import Membership, Organization, Report, Submission
from reports.tracking.board import counts_per_child
from reports.tracking.deadlines import due_dates, local_date

BEIJING = ZoneInfo("Asia/Shanghai")
OVERSEER = Membership.Role.OVERSEER
STATUSES = ["draft", "submitted", "returned", "approved", "accepted"]


def build_tree(make_user, *, prefix="", levels=4, branching=(2, 4), seed=1, with_overseers=True):
    """A province: a root with its overseer, `levels` levels below it, each body with 2–4 bodies
    below it (fewer at random), every body of the second level a supervising body with an overseer
    of its own; one report per body and period of 2023 for most bodies, in random states, submitted
    at random moments around the due dates."""
    # Built as it would be by hand, committed: the board's counts per subtree follow after the commit.
    with TestCase.captureOnCommitCallbacks(execute=True):
        rng = random.Random(seed)
        root = Organization.objects.create(name=f"{prefix}省纪委监委")
        overseer = make_user(organization=root, role=OVERSEER)
        frontier, bodies, numbers = [root], [], iter(range(1, 100000))
        for level in range(1, levels + 1):
            below = []
            for parent in frontier:
                for _n in range(rng.randint(*branching) if level < levels else rng.randint(1, branching[1])):
                    body = Organization.objects.create(name=f"{prefix}第{level}级单位{next(numbers)}", parent=parent)
                    below.append(body)
                    if level == 1 and with_overseers:
                        make_user(organization=body, role=OVERSEER)
            bodies += below
            frontier = below
        dues = due_dates(2023)
        for body in bodies:
            for quarter in PERIODS:
                if rng.random() < 0.2:
                    continue
                status = rng.choice(STATUSES)
                report = Report.objects.create(organization=body, year=2023, quarter=quarter, status=status,
                                               title=f"{body.name}报告")
                if status != "draft":
                    due = dues[quarter]
                    day = due.toordinal() + rng.choice([-3, 0, 1, 5])
                    moment = datetime.combine(date.fromordinal(day), datetime.min.time(), tzinfo=BEIJING).replace(
                        hour=rng.choice([0, 12, 23]), minute=30)
                    Submission.objects.create(report=report, number=1, paragraphs=[], measures={}, submitted_at=moment)
    return root, overseer


def brute_force_parents():
    return dict(Organization.objects.values_list("id", "parent_id"))


def in_subtree(body_id, top_id, parents):
    while body_id is not None:
        if body_id == top_id:
            return True
        body_id = parents[body_id]
    return False


def test_paths_depths_and_supervisors_follow_the_parents_and_the_overseers(db, make_user):
    root, _overseer = build_tree(make_user)
    parents = brute_force_parents()
    with_overseers = set(Membership.objects.filter(role=OVERSEER).values_list("organization_id", flat=True))
    for body in Organization.objects.all():
        chain, at = [], body.id
        while at is not None:
            chain.insert(0, at)
            at = parents[at]
        assert body.path == "".join(tree.segment(pk) for pk in chain)
        assert body.depth == len(chain) - 1
        supervisor = next((pk for pk in reversed(chain[:-1]) if pk in with_overseers), None)
        assert body.supervisor_id == supervisor
    # Below a body: one range of the path index, equal to walking the parents.
    for top in Organization.objects.filter(depth__lte=2):
        expected = {pk for pk in parents if in_subtree(pk, top.id, parents)}
        assert set(Organization.objects.filter(tree.subtree(top.path)).values_list("id", flat=True)) == expected


def test_moving_a_body_moves_its_subtree_and_a_cycle_is_refused(db, make_user):
    root, _overseer = build_tree(make_user, levels=3, seed=2)
    city, other = Organization.objects.filter(parent=root).order_by("id")[:2]
    county = Organization.objects.filter(parent=city).first()
    below_before = set(Organization.objects.filter(tree.subtree(county.path)).values_list("id", flat=True))
    county.parent = other
    county.save()
    county.refresh_from_db()
    assert county.path.startswith(other.path) and county.depth == 2 and county.supervisor_id == other.id
    moved = Organization.objects.filter(tree.subtree(county.path))
    assert set(moved.values_list("id", flat=True)) == below_before
    assert all(body.path.startswith(county.path) and body.depth == county.depth + (len(body.path) - len(county.path)) // 8
               for body in moved)

    other.refresh_from_db()
    other.parent = county  # below its own child
    with pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert "上级单位不能是本单位或本单位的下级单位" in str(refused.value)


def test_a_body_that_gains_or_loses_its_overseers_changes_whom_the_bodies_below_report_to(db, make_user):
    root, _overseer = build_tree(make_user, levels=3, seed=3, with_overseers=False)
    city = Organization.objects.filter(parent=root).first()
    leaf = Organization.objects.filter(tree.below(city.path), depth=3).first()
    assert leaf.supervisor_id == root.id
    make_user(organization=city, role=OVERSEER)
    leaf.refresh_from_db()
    assert leaf.supervisor_id == city.id
    Membership.objects.filter(organization=city, role=OVERSEER).delete()
    leaf.refresh_from_db()
    assert leaf.supervisor_id == root.id


def brute_force_counts(top, child, today, dues):
    """For one child of `top`: the reporting bodies of its subtree and, per period, how many were
    submitted, on time, accepted — by walking the parents in Python."""
    parents = brute_force_parents()
    supervisors = set(Organization.objects.filter(supervisor__isnull=False).values_list("supervisor_id", flat=True))
    bodies = {pk for pk in parents if in_subtree(pk, child.id, parents) and pk not in supervisors and pk != top.id}
    counts = {}
    for quarter in PERIODS:
        submitted = on_time = accepted = 0
        for report in Report.objects.filter(organization_id__in=bodies, year=2023, quarter=quarter):
            first = report.submissions.order_by("number").first()
            if first is not None:
                submitted += 1
                on_time += local_date(first.submitted_at) <= dues[quarter]
            accepted += report.status == "accepted"
        counts[quarter] = (submitted, on_time, accepted)
    return len(bodies), counts


@pytest.mark.parametrize("today", [date(2023, 7, 5), date(2024, 3, 1)])
def test_counts_per_child_equal_a_brute_force_count_at_every_level(db, make_user, today):
    root, overseer = build_tree(make_user, seed=4)
    dues = due_dates(2023)
    for top in [root, *Organization.objects.filter(depth__in=(1, 2)).order_by("id")[:4]]:
        children = list(Organization.objects.filter(parent=top))
        groups = [child for child in children if child.children.exists()]
        counted = counts_per_child(groups, 2023, today, dues)
        for child in groups:
            bodies, expected = brute_force_counts(top, child, today, dues)
            got_bodies, quarters = counted[child.id]
            assert got_bodies == bodies, child.name
            for stats in quarters:
                submitted, on_time, accepted = expected[stats.quarter]
                assert (stats.submitted, stats.on_time, stats.accepted) == (submitted, on_time, accepted)
                assert stats.late == submitted - on_time
                missing = bodies - submitted
                assert (stats.overdue, stats.pending) == ((missing, 0) if today > dues[stats.quarter] else (0, missing))


def test_the_board_drills_down_with_a_breadcrumb(client, db, make_user, monkeypatch):
    monkeypatch.setattr("reports.tracking.board.BOARD_GROUP_THRESHOLD", 5)
    root, overseer = build_tree(make_user, seed=5)
    client.force_login(overseer)
    top = client.get(reverse("tracking:board"), {"year": 2023})
    board = top.context["board"]
    children = set(Organization.objects.filter(parent=root))
    assert {row.organization for row in board.groups} == children and board.rows == []
    assert board.quarters[0].bodies == sum(row.bodies for row in board.groups)

    city = board.groups[0].organization
    county = Organization.objects.filter(parent=city, children__isnull=False).first()
    page = client.get(reverse("tracking:board"), {"year": 2023, "group": county.pk})
    html = page.content.decode()
    assert page.context["board"].trail == [city, county]
    assert f'group={city.pk}">{city.name}</a>' in html  # one level up, a link
    assert '<li class="breadcrumb-item active" aria-current="page">' + county.name in html


def board_queries(client, user, **params):
    client.force_login(user)
    client.get(reverse("tracking:board"))  # the first request of a session saves it: not counted
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("tracking:board"), {"year": 2023, **params})
    assert response.status_code == 200
    return len(queries), response.context["board"]


def test_board_queries_do_not_grow_with_the_number_of_bodies_or_the_depth(client, db, make_user, monkeypatch):
    monkeypatch.setattr("reports.tracking.board.BOARD_GROUP_THRESHOLD", 3)
    _small_root, small = build_tree(make_user, prefix="甲", levels=2, branching=(2, 2), seed=6)
    _large_root, large = build_tree(make_user, prefix="乙", levels=4, branching=(3, 4), seed=7)
    small_count, small_board = board_queries(client, small)
    large_count, large_board = board_queries(client, large)
    assert small_board.quarters[0].bodies < large_board.quarters[0].bodies / 5
    assert small_count == large_count

    def deepest_group(user, board):
        group = board.groups[0].organization
        return Organization.objects.filter(tree.below(group.path), children__isnull=False).order_by("-depth").first() or group

    small_level = deepest_group(small, small_board)
    large_level = deepest_group(large, large_board)
    assert large_level.depth > small_level.depth
    assert board_queries(client, small, group=small_level.pk)[0] == board_queries(client, large, group=large_level.pk)[0]


@pytest.mark.parametrize("many_from", [1, 10_000])
def test_both_forms_of_the_visibility_condition_give_the_same_reports(tree, make_user, report_factory, monkeypatch,
                                                                         many_from):
    """Past MANY_VISIBLE_BODIES the condition goes through the join (and, on SQLite, keeps the
    path's index out of the plan): the reports seen must be the same either way."""
    from reports import access

    monkeypatch.setattr(access, "MANY_VISIBLE_BODIES", many_from)
    for body in Organization.objects.all():
        report_factory(body, year=2024, quarter=1, title=f"{body.name}一季度")
    overseer = make_user("both-forms", organization=tree["city"], role=Membership.Role.OVERSEER)
    Membership.objects.create(user=overseer, organization=tree["county_body"], role=Membership.Role.DRAFTER)
    seen = set(Report.objects.visible_to(overseer).values_list("organization__name", flat=True))
    assert seen == {"市纪委监委", "市政协党组", "市人大常委会党组", "市政协机关党组", "县政协党组"}
    # The report list pages through the same reports.
    assert Report.objects.visible_to(overseer).count() == 5


def test_a_small_board_lists_the_bodies_that_report_not_the_groups_they_report_to(make_user):
    """Up to BOARD_GROUP_THRESHOLD bodies the board is flat; a 派驻组 with its own overseer receives
    reports and is no row of its own there either, as on the drill-down pages."""
    from reports.tracking.board import build_board

    root = Organization.objects.create(name="县纪委监委")
    group = Organization.objects.create(name="第一派驻组", parent=root)
    make_user("group-overseer", organization=group, role=Membership.Role.OVERSEER)
    bodies = [Organization.objects.create(name=f"县第{n}局党组", parent=group) for n in (1, 2, 3)]
    direct = Organization.objects.create(name="县委办党组", parent=root)
    overseer = make_user("county-overseer", organization=root, role=Membership.Role.OVERSEER)
    board = build_board(overseer, 2024, date(2024, 5, 1))
    assert not board.grouped
    assert sorted(row.organization.name for row in board.rows) == sorted(body.name for body in [*bodies, direct])
