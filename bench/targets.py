"""Which pages the web benchmark and the profiles visit, as whom: chosen from the generated data.

Each page is visited by the person who uses it at quarter's end: the overseer (load-overseer, 300
bodies) opens the report list, the board and the measures summary; a drafter opens the editor of
a report still in draft and downloads an approved report, and the overseer opens the board's page
of that drafter's group (派驻组), and the board one level below its first page (board_child: the
first body below the overseer's own, a city with --levels 4); a reviewer opens the review page of a
report submitted twice (so that it shows the changes since the first round).
"""

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse

from reports.management.commands.generate_load_data import PASSWORD
from reports.models import Membership, Organization, Report
from reports.tracking.scope import overseen_roots
from reports.word.writer import DOCX_MIME

# Phase order of the web benchmark; "ping" is the ceiling.
PAGES = ["ping", "list", "editor", "review", "board", "board_group", "summary", "docx"]
# The overseer's pages, which the runs at 300, 3,000 and 30,000 bodies compare (bench/scale.py).
OVERSEER_PAGES = ["ping", "list", "board", "board_child", "summary"]
LABELS = {
    "ping": "trivial view (ceiling)",
    "list": "report list (overseer: every body's reports)",
    "editor": "editor (a draft, ≈28 items)",
    "review": "review page (2nd submission, diff)",
    "board": "board, first page (10 groups' totals over 300 bodies)",
    "board_group": "board, one group (30 bodies × 4 quarters)",
    "board_child": "board, one level down (a body below the overseer's)",
    "summary": "measures summary",
    "docx": ".docx download",
}


def member(organization_id, role):
    return (Membership.objects.filter(organization_id=organization_id, role=role)
            .select_related("user").order_by("user__username").first().user)


def first_child(overseer):
    """The body the board's first page lists first below the overseer's own: with one overseen
    body (the root, with --levels 4), its first child; with several (the 派驻组 of --levels 2),
    the first of them. Its page is the board one level down."""
    roots = list(Organization.objects.filter(pk__in=overseen_roots(overseer)).order_by("path"))
    outermost = [root for root in roots if not any(other is not root and root.path.startswith(other.path)
                                                  for other in roots)]
    if len(outermost) == 1:
        child = Organization.objects.filter(parent=outermost[0]).order_by("path").first()
        return child or outermost[0]
    return outermost[0]


def choose(count=8):
    """URLs and users for `count` virtual users, each on a different body's reports."""
    overseer = get_user_model().objects.get(username="load-overseer")
    visible = Report.objects.visible_to(overseer)
    last = visible.order_by("-year", "-quarter").values("year", "quarter").first()
    drafts = list(visible.filter(status="draft").select_related("organization").order_by("organization__name")[:count])
    twice = list(visible.filter(status="submitted").annotate(rounds=Count("submissions"))
                 .order_by("-rounds", "organization__name")[:count])
    if not drafts or not twice:
        raise SystemExit("the database has no draft or no submitted report: run generate_load_data first")
    child = first_child(overseer)
    users = []
    for index in range(count):
        draft, submitted = drafts[index % len(drafts)], twice[index % len(twice)]
        approved = visible.filter(organization_id=draft.organization_id, status="approved").order_by("-year", "-quarter").first()
        users.append({
            "drafter": member(draft.organization_id, "drafter").username,
            "reviewer": member(submitted.organization_id, "reviewer").username,
            "pages": {
                "ping": ["overseer", "/bench/ping/", "text/plain"],
                "list": ["overseer", reverse("reports:list"), "text/html"],
                "editor": ["drafter", reverse("reports:edit", args=[draft.pk]), "text/html"],
                "review": ["reviewer", reverse("reports:review", args=[submitted.pk]), "text/html"],
                "board": ["overseer", reverse("tracking:board") + f"?year={last['year']}", "text/html"],
                "board_group": [
                    "overseer",
                    reverse("tracking:board") + f"?year={last['year']}&group={draft.organization.parent_id}",
                    "text/html",
                ],
                "board_child": ["overseer", reverse("tracking:board") + f"?year={last['year']}&group={child.pk}",
                                "text/html"],
                "summary": ["overseer", reverse("tracking:summary") + f"?year={last['year']}", "text/html"],
                "docx": ["drafter", reverse("reports:export_docx", args=[approved.pk]), DOCX_MIME],
            },
        })
    return {"overseer": overseer.username, "password": PASSWORD, "users": users, "year": last["year"],
            "board_child": {"id": child.pk, "name": child.name}}
