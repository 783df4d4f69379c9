"""`manage.py generate_load_data`: the load-test data set, small here (3 bodies, one year)."""

import pytest
from django.core.management import CommandError, call_command

from reports.document.tokens import tokens_to_names
from reports.management.commands.generate_load_data import ROOT_NAME
from reports.models import Comment, Item, Measure, MeasureValue, Membership, Organization, Report, ReportEvent, Submission


def generate(seed=7, **options):
    call_command("generate_load_data", bodies=3, years=1, seed=seed, last_year=2023, stdout=_Quiet(), **options)


class _Quiet:
    def write(self, text):
        pass

    def flush(self):
        pass


def contents():
    """What a reader sees of the generated reports: titles, and every item with its figures named."""
    names = dict(Measure.objects.values_list("id", "name"))
    titles = list(Report.objects.order_by("organization__name", "year", "quarter").values_list("title", "status"))
    texts = [tokens_to_names(text, names) for text in
             Item.objects.order_by("section__report__organization__name", "section__report__quarter",
                                   "section__position", "heading__position", "position").values_list("text", flat=True)]
    return titles, texts


def wipe():
    """Remove the generated data (the command refuses to generate over it)."""
    Comment.objects.all().delete()
    Report.objects.all().delete()
    Membership.objects.all().delete()
    Measure.objects.filter(organization__isnull=False).delete()
    for _level in range(3):  # the bodies, then the supervising bodies, then the root (PROTECT)
        Organization.objects.filter(children__isnull=True).delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username__startswith="load-").delete()


@pytest.mark.django_db
def test_generates_the_tree_the_people_and_a_year_of_reports(settings):
    settings.DEBUG = True
    generate()
    root = Organization.objects.get(name=ROOT_NAME)
    assert Organization.objects.filter(parent=root).count() == 1  # one supervising body per 30 bodies
    assert Organization.objects.filter(parent__parent=root).count() == 3
    assert Membership.objects.filter(role="drafter").count() >= 3
    assert Membership.objects.filter(role="reviewer").count() == 3
    assert Membership.objects.filter(role="overseer", user__username="load-overseer").count() == 1

    reports = Report.objects.all()
    # One report per body and quarter, but a body or two may not have started the last quarter.
    assert 10 <= reports.count() <= 12
    assert set(reports.values_list("year", flat=True)) == {2023}
    # Three sections each, ≈ 28 items a report; figures in the text with their values.
    assert all(report.sections.count() == 3 for report in reports)
    items = Item.objects.count()
    assert 20 * reports.count() <= items <= 36 * reports.count()
    assert Item.objects.filter(text__contains="{{measure:").exists()
    assert MeasureValue.objects.filter(value__isnull=False).count() >= 6 * reports.count() * 0.8
    # The workflow's history: every report that left the draft state was submitted, and an
    # approved report has its approval; the oldest quarters are all approved.
    for report in reports.exclude(status="draft"):
        assert Submission.objects.filter(report=report, number=1).exists()
        assert ReportEvent.objects.filter(report=report, action="submit").exists()
    for report in reports.filter(status="approved"):
        assert ReportEvent.objects.filter(report=report, action="approve").count() == 1
    assert set(reports.filter(quarter__in=(1, 2)).values_list("status", flat=True)) == {"approved"}
    # Chinese text, from the phrase lists.
    assert all("履行全面从严治党主体责任情况报告" in title for title in reports.values_list("title", flat=True))
    assert Item.history.count() == items  # the "created" record of every item


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_titles_and_texts(settings):
    settings.DEBUG = True
    generate(seed=7)
    first = contents()
    wipe()
    generate(seed=7)
    assert contents() == first
    wipe()
    generate(seed=8)
    assert contents()[1] != first[1]


@pytest.mark.django_db
def test_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        generate()
    assert not Report.objects.exists()
    generate(force=True)
    assert Report.objects.exists()


@pytest.mark.django_db
def test_refuses_to_generate_twice_into_one_database(settings):
    settings.DEBUG = True
    generate()
    with pytest.raises(CommandError, match=ROOT_NAME):
        generate()


@pytest.mark.django_db
def test_levels_build_a_deeper_tree_overseen_from_the_root(settings, client):
    """--levels 4: root → cities → counties → 派驻组 → bodies; load-overseer oversees the root and
    its board opens on the cities, each a row of counts over its whole subtree."""
    from django.urls import reverse

    from reports.tracking.scope import overseen

    settings.DEBUG = True
    call_command("generate_load_data", bodies=70, years=1, seed=3, last_year=2023, levels=4, no_history=True,
                 stdout=_Quiet())
    root = Organization.objects.get(name=ROOT_NAME)
    bodies = Organization.objects.filter(memberships__role="drafter").distinct()
    assert set(bodies.values_list("depth", flat=True)) == {4} and bodies.count() == 70
    # Each body reports to its 派驻组, the body just above it; every level above has its overseer.
    assert all(body.supervisor_id == body.parent_id for body in bodies)
    assert not Organization.objects.filter(depth__in=(1, 2, 3)).exclude(memberships__role="overseer").exists()
    overseer = Membership.objects.get(user__username="load-overseer").user
    assert overseen(overseer).filter(memberships__role="drafter").distinct().count() == 70

    client.force_login(overseer)
    board = client.get(reverse("tracking:board"), {"year": 2023}).context["board"]
    assert {row.organization for row in board.groups} == set(Organization.objects.filter(parent=root))
    assert sum(row.bodies for row in board.groups) == 70


@pytest.mark.django_db
def test_levels_make_a_balanced_tree_from_the_top(settings):
    """The supervising levels grow geometrically from the root down to one 派驻组 per 30 bodies
    (not 10 per level from the bottom, which left the root one city with one county)."""
    from reports.management.commands.generate_load_data import level_sizes

    assert level_sizes(300, 2) == [10]  # --levels 2: the root's 派驻组, as before
    assert level_sizes(3000, 4) == [5, 22, 100]
    assert level_sizes(30000, 4) == [10, 100, 1000]
    assert level_sizes(70, 4) == [1, 2, 3]
    for bodies, levels in ((1, 6), (300, 5), (30000, 5), (12345, 6)):
        sizes = level_sizes(bodies, levels)
        assert len(sizes) == levels - 1 and sizes[-1] == -(-bodies // 30)
        assert sizes == sorted(sizes) and sizes[0] >= 1

    settings.DEBUG = True
    call_command("generate_load_data", bodies=300, years=1, seed=3, last_year=2023, levels=4, no_history=True,
                 stdout=_Quiet())
    root = Organization.objects.get(name=ROOT_NAME)
    counts = {depth: Organization.objects.filter(depth=depth).count() for depth in range(1, 5)}
    assert counts == {1: 2, 2: 5, 3: 10, 4: 300}
    assert Organization.objects.filter(parent=root).count() > 1
    # Spread evenly: every body of a level has children, and no two differ by more than one.
    for depth in (1, 2, 3):
        children = [Organization.objects.filter(parent=body).count() for body in Organization.objects.filter(depth=depth)]
        assert min(children) >= 1 and max(children) - min(children) <= (1 if depth < 3 else 0)
