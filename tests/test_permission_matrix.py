"""The permission matrix: every URL × method × actor → the expected outcome, from one table.

The URLs are read from the URL configuration (config.urls, walked recursively), so a new URL
without a rule in RULES fails `test_every_url_has_a_rule`. Each URL is requested with GET and
with POST by seven actors:

    anonymous · the body's drafter · the body's reviewer · a drafter of another body ·
    an overseer above the body · an overseer of another tree · a superuser

about one report of the body (市政协党组), in each of the states draft, submitted and approved.
An outcome is the status code (or "login": a redirect to the login page), followed by "+"
when the request wrote to the application's tables (reports, their parts, measures, events,
submissions, comments, reminders, bodies, users…; the SQL it ran is read, so a refused
request that writes anything at all is caught): a request whose rule has no "+" must write
nothing, one with "+" must write. Every request runs in a savepoint that is rolled back, so each
sees the same data. POSTs carry the data a real form would send (a valid fingerprint, a
comment…), so that "allowed" shows as a change and "refused" as none.

Besides the status, the body of every successful response to someone who may not see the
report is searched for the report's secret marker: a page that answers 200 must not leak it.
The admin's URLs are covered by one rule: staff only.
"""

import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse
from openpyxl import load_workbook
from PIL import Image

from reports.document.tokens import token
from reports.drafting.checks import find_problems
from reports.drafting.editing import PART_MODELS, REPORT_PARTS, fingerprint, part_values
from reports.evidence import attach
from reports.models import (
    GENERATED_SECTION_KINDS,
    DueDate,
    ExportJob,
    Heading,
    Item,
    MeasureValue,
    Membership,
    Notice,
    Problem,
    Report,
    Substitution,
    Suggestion,
)
from reports.review import workflow
from reports.views import converters
from reports.views.tracking_pages import XLSX_CONTENT_TYPE
from tests.fixtures import LATE_REASON

# ---- Actors and outcomes -------------------------------------------------------------------

ANON, DRAFTER, REVIEWER, OTHER_DRAFTER, OVERSEER, OTHER_OVERSEER, SUPERUSER = (
    "anonymous", "drafter", "reviewer", "other_drafter", "overseer", "other_overseer", "superuser",
)
ACTORS = (ANON, DRAFTER, REVIEWER, OTHER_DRAFTER, OVERSEER, OTHER_OVERSEER, SUPERUSER)
SEES = (DRAFTER, REVIEWER, OVERSEER, SUPERUSER)  # may see the body's report
BLIND = (OTHER_DRAFTER, OTHER_OVERSEER)  # for them it does not exist (404, never 403)
DRAFTERS = (DRAFTER, OTHER_DRAFTER)
OVERSEERS = (OVERSEER, OTHER_OVERSEER, SUPERUSER)  # may open the tracking pages
STATES = ("draft", "submitted", "approved", "accepted")
EDITABLE = ("draft", "returned")
LOGIN = "login"
SECRET = "MATRIX-机密-7f3a"  # in the report's title and text: never in a page for BLIND


def table(default, **outcomes):
    """{actor: outcome} for every actor, `default` where not named; an actor may be given as a
    group name: sees=…, blind=…"""
    groups = {"sees": SEES, "blind": BLIND, "drafters": DRAFTERS, "overseers": OVERSEERS}
    result = dict.fromkeys(ACTORS, default)
    for name, outcome in outcomes.items():
        for actor in groups.get(name, (name,)):
            result[actor] = outcome
    result[ANON] = outcomes.get(ANON, LOGIN)  # every page but the login page needs a login
    return result


def only_get(get):
    return {"GET": get, "POST": table("405")}


def only_post(post):
    return {"GET": table("405"), "POST": post}


def report_page():
    """A page about the report, read-only: who sees it gets it, others 404."""
    return only_get(table("200", blind="404"))


def editor_write(state, done="302+"):
    """A write of the editor: the body's drafter, while the report is a draft or returned."""
    return only_post(table("403", blind="404", drafter=done if state in EDITABLE else "403"))


def editor_read(state, ok="200"):
    """A form of the editor: the body's drafter, while the report may be edited (403 otherwise)."""
    return only_get(table("403", blind="404", drafter=ok if state in EDITABLE else "403"))


def suggester(state, outcome):
    """{actor: outcome} for who may suggest in this state (as for comments)."""
    return {"submitted": {REVIEWER: outcome}, "approved": {OVERSEER: outcome}}.get(state, {})


def importer(state, outcome):
    """Who may import a leader's Word file: the drafter while editable, else whoever may suggest."""
    return {DRAFTER: outcome} if state in EDITABLE else suggester(state, outcome)


def act_rule(state, action):
    """The workflow table (reports/review/workflow.py): who may do what in which state."""
    allowed = {
        "submit": (DRAFTER, ("draft", "returned")),
        # 市政协党组 has the default chain, one step: nobody passes a report on, its reviewer approves.
        "approve": (REVIEWER, ("submitted",)),
        "return": (REVIEWER, ("submitted",)),
        "reopen": (REVIEWER, ("approved",)),
        # The overseer above (of 市纪委监委, where 市政协党组 reports go).
        "accept": (OVERSEER, ("approved",)),
        "send_back": (OVERSEER, ("approved",)),
        "unaccept": (OVERSEER, ("accepted",)),
    }
    post = table("302", blind="404")  # refused with a message on the page it came from
    if action in allowed and state in allowed[action][1]:
        post[allowed[action][0]] = "302+"
    return only_post(post)


# url key → rule(state, variant) → {"GET": {actor: outcome}, "POST": {actor: outcome}}.
# The key is "namespace:name" (or the route, for an unnamed URL); the variant is the sample
# kwargs the URL was filled in with (e.g. {"kind": "item", "part_id": 12}).
RULES = {
    # Redirects to the report list (anonymous users to the login page first).
    "": lambda state, v: {"GET": table("302"), "POST": table("302")},
    # The login page: open to all; a user who is logged in is sent on to the list.
    "login": lambda state, v: {"GET": table("302", anonymous="200"), "POST": table("302", anonymous="200")},
    # GET asks to confirm (the same POST); POST logs out and goes back to the login page.
    "logout": lambda state, v: {"GET": table("200"), "POST": table(LOGIN)},
    # The language can be chosen before logging in; it changes no data.
    "set_language": lambda state, v: {"GET": table("302", anonymous="302"), "POST": table("302", anonymous="302")},
    # Setting a password (first sign-in, or forgotten): open to all, as the login page is. An empty
    # form, and a link that is no valid one, show their page and write nothing.
    "password_reset": lambda state, v: {"GET": table("200", anonymous="200"), "POST": table("200", anonymous="200")},
    "password_reset_done": lambda state, v: {"GET": table("200", anonymous="200"), "POST": table("405", anonymous="405")},
    "password_reset_confirm": lambda state, v: {"GET": table("200", anonymous="200"),
                                                "POST": table("200", anonymous="200")},
    "password_reset_complete": lambda state, v: {"GET": table("200", anonymous="200"),
                                                 "POST": table("405", anonymous="405")},
    # Unified sign-on: not found without a CAS server configured (the matrix runs without one;
    # tests/test_sign_on.py goes through a real one).
    "cas_login": lambda state, v: {"GET": table("404", anonymous="404"), "POST": table("404", anonymous="404")},
    "reports:list": lambda state, v: only_get(table("200")),
    "reports:body_search": lambda state, v: only_get(table("200")),
    # Only drafters start reports, and only for their own bodies: another body's drafter who
    # posts this body's id gets the form back (422) and nothing is created.
    "reports:create": lambda state, v: {
        "GET": table("302", drafters="200"),
        "POST": table("302", drafter="302+", other_drafter="422"),
    },
    "reports:import": lambda state, v: {"GET": table("302", drafters="200"), "POST": table("302")},
    # An import is kept in the user's own session; an unknown key leads back (nothing created).
    "reports:import_preview": lambda state, v: {"GET": table("302"), "POST": table("302")},
    "reports:inbox": lambda state, v: only_get(table("200")),
    # 代审 (reports/review/substitutes.py): a reviewer names a colleague of their body; whoever
    # reviews nowhere is told so. Only its owner (here the overseer) ends a substitution.
    "reports:substitute": lambda state, v: only_post(table("302", reviewer="302+")),
    "reports:end_substitute": lambda state, v: only_post(table("302", overseer="302+")),
    # 通知: everyone their own; a notice opens (and is marked read) only for its recipient (here the
    # drafter), 404 for anyone else; marking all read writes whatever there is to mark.
    "reports:notices": lambda state, v: only_get(table("200")),
    "reports:notice_open": lambda state, v: {"GET": table("404", drafter="302+"), "POST": table("405")},
    "reports:notices_read_all": lambda state, v: only_post(table("302+")),
    "reports:detail": lambda state, v: report_page(),
    # The editor: the drafter edits a draft; everyone else who sees the report is sent to the
    # read-only page.
    "reports:edit": lambda state, v: only_get(
        table("302", blind="404", drafter="200" if state in EDITABLE else "302")
    ),
    "reports:sheet": lambda state, v: editor_read(state, ok="302"),  # without htmx: to the editor
    "reports:items_layout": lambda state, v: editor_write(state),
    "reports:part_edit": lambda state, v: {
        "GET": editor_read(state)["GET"],
        "POST": editor_write(state)["POST"],
    },
    "reports:part_move": lambda state, v: editor_write(state),
    "reports:part_delete": lambda state, v: editor_write(state),
    "reports:part_add": lambda state, v: editor_write(state),
    "reports:check": lambda state, v: report_page(),
    "reports:review": lambda state, v: report_page(),
    # Everyone who sees the report may post; only the body's reviewer, while the report
    # awaits review, and the overseer above, while it awaits 签收, leave a comment (the others
    # get a message, nothing is written).
    "reports:comment": lambda state, v: only_post(
        table("302", blind="404", reviewer="302+" if state == "submitted" else "302",
              overseer="302+" if state == "approved" else "302")
    ),
    "reports:act": lambda state, v: act_rule(state, v["action"]),
    "reports:timeline": lambda state, v: report_page(),
    "reports:export_docx": lambda state, v: report_page(),
    "reports:export_review_docx": lambda state, v: report_page(),
    # Asks for the PDF job (reports.exports): whoever sees the report; the job page is theirs.
    "reports:export_pdf": lambda state, v: only_post(table("302+", blind="404")),
    "reports:export_quarter_pdf": lambda state, v: only_post(table("302+")),
    # The drafter's own jobs, one done and one failed: for everyone else they do not exist.
    "reports:export_job": lambda state, v: only_get(table("404", drafter="200")),
    "reports:export_job_file": lambda state, v: only_get(table("404", drafter="200" if v["job"] == "done" else "404")),
    "reports:export_job_retry": lambda state, v: only_post(table("404", drafter="302+" if v["job"] == "failed" else "302")),
    "reports:export_evidence_zip": lambda state, v: report_page(),
    # A quarter's approved reports: anyone may ask, the .zip holds only what they may see.
    "reports:export_zip": lambda state, v: only_get(table("200")),
    "reports:measures": lambda state, v: report_page(),
    "reports:measure_add": lambda state, v: editor_write(state),
    "reports:measure_value": lambda state, v: editor_write(state),
    "reports:measure_note": lambda state, v: editor_write(state),
    "reports:figure_notes": lambda state, v: editor_read(state),
    "reports:measure_remove": lambda state, v: editor_write(state),
    # 督办: overseers (of a body with bodies below) and superusers; others 403.
    "tracking:board": lambda state, v: only_get(table("403", overseers="200")),
    # 催报 of the body's overdue report: its overseer (and a superuser) send it while it has
    # not been submitted; the overseer of another tree is told the body is not theirs.
    "tracking:remind": lambda state, v: only_post(
        table("403", overseers="302", **({"overseer": "302+", "superuser": "302+"} if state == "draft" else {}))
    ),
    # 准予延期: the overseer of the body reported to grants it while the report is unsubmitted;
    # the other overseers (another tree, a superuser, who supervises no body) are told no.
    "tracking:extend": lambda state, v: only_post(
        table("403", overseers="302", **({"overseer": "302+"} if state == "draft" else {}))),
    # 问题整改台账 (reports/tracking/ledger.py): the entry is open (未整改), whatever the report's
    # state. The body's drafter starts or proposes its closing, its reviewer starts or closes it;
    # reopening needs a closed entry; everyone else who sees the body is told no (nothing written).
    "reports:ledger_act": lambda state, v: only_post(table("302", blind="404", **{
        "start": {"drafter": "302+", "reviewer": "302+"},
        "propose": {"drafter": "302+"},
        "close": {"reviewer": "302+"},
    }.get(v["ledger_action"], {}))),
    # The ledger page: anyone in a body (their own body's entries) or overseeing bodies.
    "tracking:ledger": lambda state, v: only_get(table("200")),
    # Its .xlsx: the same entries, with the same filters, for the same readers.
    "tracking:ledger_xlsx": lambda state, v: only_get(table("200")),
    # What a report carries over (reports/tracking/carried.py), written from the editor's panels.
    # The entry was found before the report's quarter: its progress is the report's to tell.
    "reports:problem_progress": lambda state, v: editor_write(state),
    # The report has no last quarter to answer: the drafter is told so, nothing is written.
    "reports:plan_answer": lambda state, v: editor_write(state, done="302"),
    "reports:print_part": lambda state, v: editor_write(state),
    "reports:open_problem": lambda state, v: editor_write(state),
    # 佐证材料 (reports/evidence): read with the report, written by its drafter while editable.
    "reports:evidence": lambda state, v: report_page(),
    "reports:evidence_file": lambda state, v: report_page(),
    "reports:evidence_thumbnail": lambda state, v: report_page(),
    "reports:evidence_upload": lambda state, v: editor_write(state),
    "reports:evidence_listing": lambda state, v: editor_write(state),
    "reports:evidence_rename": lambda state, v: editor_write(state),
    "reports:evidence_delete": lambda state, v: editor_write(state),
    # Suggestions (reports/review/suggestions.py): whoever may comment (the reviewer while the report
    # awaits review, the overseer above before 签收) opens a part's box and saves a suggestion;
    # the others who see the report are sent back with a message, nothing written.
    "reports:suggest": lambda state, v: {
        "GET": table("302", blind="404", **suggester(state, "200")),
        "POST": table("302", blind="404", **suggester(state, "302+")),
    },
    # The reviewer's own open suggestion: they withdraw it, whatever the report's state.
    "reports:suggestion_withdraw": lambda state, v: only_post(table("302", blind="404", reviewer="302+")),
    # The drafter decides, while the report may be edited.
    "reports:suggestion_accept": lambda state, v: only_post(
        table("302", blind="404", drafter="302+" if state in EDITABLE else "302")),
    "reports:suggestion_reject": lambda state, v: only_post(
        table("302", blind="404", drafter="302+" if state in EDITABLE else "302")),
    # A leader's edited Word file: the drafter (while editable) or whoever may suggest opens the
    # upload; a post without a file is answered on the page (422), nothing written.
    "reports:review_import": lambda state, v: {
        "GET": table("302", blind="404", **importer(state, "200")),
        "POST": table("302", blind="404", **importer(state, "422")),
    },
    # What was read is kept in the user's own session; an unknown key leads back to the upload.
    "reports:review_import_preview": lambda state, v: {"GET": table("302", blind="404"), "POST": table("302", blind="404")},
    "tracking:summary": lambda state, v: only_get(table("403", overseers="200")),
    # 文字质量 (reports/views/quality_pages.py): the overseers' list of the bodies below; a report's
    # copied parts beside the other bodies' texts only for the overseer above it (and a superuser):
    # its own drafter and reviewer are told no, who cannot see the report finds nothing.
    "tracking:quality": lambda state, v: only_get(table("403", overseers="200")),
    "tracking:quality_report": lambda state, v: only_get(table("403", blind="404", overseer="200", superuser="200")),
    "tracking:summary_xlsx": lambda state, v: only_get(table("403", overseers="200")),
}


def admin_rule(name):
    """One rule for the admin: staff only. Anyone else is sent to a login page (the admin's, or
    the site's for an anonymous user: LoginRequiredMiddleware comes first) and changes nothing;
    the superuser is never sent there."""
    if name == "admin:login":
        return {"GET": table("200", anonymous="200", superuser="302"), "POST": table("200", anonymous="200")}
    if name == "admin:logout":  # others are sent to the admin's index (and from there to its login)
        return {"GET": table("302", anonymous="admin-login", superuser="405"),
                "POST": table("302", anonymous="admin-login", superuser=LOGIN)}
    return {method: table("a login page", anonymous="a login page", superuser="staff") for method in ("GET", "POST")}


# ---- The URL configuration -----------------------------------------------------------------


def url_patterns():
    """(key, full route, pattern) for every URL, walking includes recursively."""
    found = []

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                route = prefix + str(pattern.pattern)
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = route
                found.append((key, route, pattern))

    walk(get_resolver().url_patterns)
    return found


def is_admin(key, route):
    return key.startswith("admin:") or route.startswith("admin/")


def test_every_url_has_a_rule():
    """A new URL (or a renamed one) must be given a rule here before the suite passes."""
    keys = {key for key, route, _pattern in url_patterns() if not is_admin(key, route)}
    assert keys - RULES.keys() == set(), "URLs without a rule in tests/test_permission_matrix.py RULES"
    assert RULES.keys() - keys == set(), "rules for URLs that no longer exist"


# ---- The data ------------------------------------------------------------------------------


@pytest.fixture
def world(tree, make_user, report_factory, measure_factory, monkeypatch):
    """The seven actors and one complete report of 市政协党组 (three sections, two headings with
    two items each, section-level items, two measures), ready to submit."""
    Role = Membership.Role
    actors = {
        DRAFTER: make_user("m-drafter", organization=tree["cppcc"], role=Role.DRAFTER, email="drafter@example.org"),
        REVIEWER: make_user("m-reviewer", organization=tree["cppcc"], role=Role.REVIEWER),
        OTHER_DRAFTER: make_user("m-other-drafter", organization=tree["congress"], role=Role.DRAFTER),
        OVERSEER: make_user("m-overseer", organization=tree["city"], role=Role.OVERSEER),
        OTHER_OVERSEER: make_user("m-other-overseer", organization=tree["county"], role=Role.OVERSEER),
        SUPERUSER: make_user("m-root", is_superuser=True, is_staff=True),
    }
    report = report_factory(
        tree["cppcc"],
        title=f"市政协党组2023年第一季度报告（{SECRET}）",
        addressee="市纪委监委：",
        opening="按要求，现将有关情况报告如下。",
        closing="特此报告。",
        signature_name="中共市政协党组",
        sections=[
            ("主要做法", "practices", [
                ("深化理论学习", [f"学习一。{SECRET}", "学习二。"]),
                ("压实责任", ["责任一。", "责任二。"]),
            ]),
            # Approved, its problem is an entry of the ledger (for the ledger's admin pages).
            ("存在的主要问题", "problems", ["问题一。"]),
            ("下一步的打算", "next_steps", ["打算一。", "打算二。"]),
        ],
    )
    used = measure_factory(report, "学习会议", value=Decimal("3"))
    measure_factory(report, "谈话", value=Decimal("2"))
    item = Item.objects.get(text="学习二。")
    item.text = f"召开会议{token(used.id)}。"
    item.save()
    assert find_problems(report) == [], "the matrix report must be complete, so that it can be submitted"
    DueDate.objects.create(year=2023, quarter=1, due_date=date(2023, 4, 12))  # for its admin pages
    # The PDF is LibreOffice's business (tests/test_docx_layout.py); here only who gets it.
    monkeypatch.setattr("reports.views.export_jobs.pdf_available", lambda: True)
    monkeypatch.setattr("reports.exports.convert_many", lambda documents: [b"%PDF-1.4 matrix"] * len(documents))
    # An entry of the body's ledger, open, found the quarter before (for the ledger's actions).
    # Its text carries the secret marker: the ledger page and its .xlsx show it only to the body's readers.
    problem = Problem.objects.create(organization=tree["cppcc"], text=f"上季度发现的问题（{SECRET}）。", found_year=2022,
                                     found_quarter=4)
    evidence = attach.attach(report, target="", name="签到表.png", data=photo((200, 0, 0)), actor=actors[DRAFTER])
    # Another person's 代审 (the overseer's, for the test's sake): nobody but its owner ends it.
    substitution = Substitution.objects.create(absent=actors[OVERSEER], substitute=actors[OTHER_OVERSEER],
                                               starts=date(2099, 1, 1), ends=date(2099, 1, 2))
    notice = Notice.objects.create(user=actors[DRAFTER], subject="【季报】待审核", link="/reports/")
    done = ExportJob(kind="pdf", requested_by=actors[DRAFTER], report=report, status="done", total=1, done=1,
                     filename="matrix.pdf")
    done.file.save("matrix.pdf", ContentFile(b"%PDF-1.4 matrix"))
    failed = ExportJob.objects.create(kind="pdf", requested_by=actors[DRAFTER], report=report, status="failed",
                                      error="PDF 转换失败")
    # The reviewer's open suggestion on the first item, made on the text as it is.
    first_item = parts(report)["item"]
    suggestion = Suggestion.objects.create(report=report, ref=f"item-{first_item.pk}", field="text", label="一、（一）一是",
                                           before=first_item.text, after="学习一，更深入。", author=actors[REVIEWER],
                                           author_name="m-reviewer")
    return {"actors": actors, "report": report, "tree": tree, "problem": problem, "evidence": evidence,
            "suggestion": suggestion,
            "substitution": substitution, "notice": notice, "jobs": {"done": done, "failed": failed}}


def photo(colour):
    output = io.BytesIO()
    Image.new("RGB", (30, 20), colour).save(output, "PNG")
    return output.getvalue()


def put_in_state(world, state):
    report, actors = world["report"], world["actors"]
    if state in ("submitted", "approved", "accepted"):
        workflow.submit(report, actor=actors[DRAFTER], notify=False, late_reason=LATE_REASON)
    if state in ("approved", "accepted"):
        workflow.approve(report, actor=actors[REVIEWER], notify=False)
    if state == "accepted":
        workflow.accept(report, actor=actors[OVERSEER])
    report.refresh_from_db()
    assert report.status == state


def parts(report):
    first_section = report.sections.order_by("position").first()
    first_heading = Heading.objects.filter(section=first_section).order_by("position").first()
    first_item = Item.objects.filter(heading=first_heading).order_by("position").first()
    return {"section": first_section, "heading": first_heading, "item": first_item}


def unreferenced_value(report):
    return MeasureValue.objects.get(report=report, measure__name="谈话")


def url_variants(route, pattern, world):
    """Every sample of kwargs that fills in this URL with real objects."""
    report = world["report"]
    names = list(pattern.pattern.converters)
    variants = [{}]

    def extend(name, values):
        nonlocal variants
        variants = [{**variant, name: value} for variant in variants for value in values]

    for name in names:
        if name == "pk":
            extend("pk", [report.pk])
        elif name == "kind" and isinstance(pattern.pattern.converters["kind"], converters.GeneratedKindConverter):
            extend("kind", list(GENERATED_SECTION_KINDS))
        elif name == "kind":
            # Parts there are several of (with an id), or parts of the report itself.
            addable = isinstance(pattern.pattern.converters["kind"], converters.AddableKindConverter)
            extend("kind", list(PART_MODELS) if addable or "part_id" in names else list(REPORT_PARTS))
        elif name == "part_id":
            pieces = parts(report)
            variants = [{**variant, "part_id": pieces[variant["kind"]].pk} for variant in variants]
        elif name == "value_id":
            extend("value_id", [unreferenced_value(report).pk])
        elif name == "action":
            extend("action", ["submit", "pass", "approve", "return", "reopen", "accept", "send_back", "unaccept",
                              "no-such-action"])
        elif name == "year":
            extend("year", [2023])
        elif name == "quarter":
            extend("quarter", [1])
        elif name == "key":
            extend("key", ["no-such-import"])
        elif name == "problem_id":
            extend("problem_id", [world["problem"].pk])
        elif name == "position":
            extend("position", [1])
        elif name == "item_id":
            extend("item_id", [Item.objects.get(section__report=report, text="问题一。").pk])
        elif name == "evidence_id":
            extend("evidence_id", [world["evidence"].pk])
        elif name == "notice_id":
            extend("notice_id", [world["notice"].pk])
        elif name == "job_id":
            variants = [{**variant, "job_id": job.pk, "job": state} for variant in variants
                        for state, job in world["jobs"].items()]
        elif name == "substitution_id":
            extend("substitution_id", [world["substitution"].pk])
        elif name == "ref":
            extend("ref", [f"item-{parts(report)['item'].pk}"])
        elif name == "uidb64":
            extend("uidb64", ["MQ"])
        elif name == "token":
            extend("token", ["no-such-token"])
        elif name == "suggestion_id":
            extend("suggestion_id", [world["suggestion"].pk])
        elif name == "ledger_action":
            extend("ledger_action", ["start", "propose", "close", "reopen", "found", "no-such-action"])
        else:
            pytest.fail(f"{route}: no sample for the URL argument {name!r}; add one to url_variants()")
    return variants


def post_data(key, variant, world):
    """What the page's own form would send: enough for an allowed request to succeed."""
    report, tree = world["report"], world["tree"]
    report.refresh_from_db()
    pieces = parts(report)
    if key == "reports:part_edit":
        kind = variant["kind"]
        obj = report if kind in REPORT_PARTS else pieces[kind]
        values = part_values(obj, kind)
        changed = {
            "title": {"title": "新标题"},
            "addressee": {"addressee": "市委："},
            "opening": {"opening": "新的开头。"},
            "closing": {"closing": "此致。"},
            "signature": {"signature_name": "新署名", "signature_date": "2023-04-01", "signature_layout": "unsealed"},
            "section": {"title": "新部分", "kind": "practices", "lead": ""},
            "heading": {"title": "新小标题", "lead": ""},
            "item": {"text": "新的一项。"},
        }[kind]
        return {**changed, "base_version": report.version, "base_fingerprint": fingerprint(values)}
    if key == "reports:part_delete":
        kind = variant["kind"]
        return {"base_version": report.version, "base_fingerprint": fingerprint(part_values(pieces[kind], kind))}
    if key == "reports:part_move":
        return {"step": "1"}
    if key == "reports:part_add":
        return {"section": pieces["section"].pk, "heading": pieces["heading"].pk}
    if key == "reports:items_layout":
        return {"items_layout": "paragraphs"}
    if key == "reports:measure_add":
        return {"name": "新统计数", "unit": "次"}
    if key == "reports:measure_value":
        return {"value": "7"}
    if key == "reports:measure_note":
        return {f"note-{unreferenced_value(report).measure_id}": "本季度开展集中谈话。"}
    if key == "reports:problem_progress":
        return {"progress": "制定整改方案。", "measures": "建立制度。", "leader": "", "department": "", "deadline": "2023-06-30"}
    if key == "reports:plan_answer":
        return {"answer": "done", "note": ""}
    if key == "reports:print_part":
        return {"on": "1"}
    if key == "reports:evidence_upload":
        upload = io.BytesIO(photo((0, 90, 200)))
        upload.name = "会场.png"
        return {"files": upload, "target": ""}
    if key == "reports:evidence_listing":
        return {"on": "1"}
    if key == "reports:evidence_rename":
        return {"title": "新的标题"}
    if key == "reports:suggest":
        return {"after-text": "学习一，建议改写。"}
    if key == "reports:ledger_act":
        return {"comment": "已建立制度，逐项整改到位。", "next": "/reports/"}
    if key in ("reports:act", "reports:comment"):
        return {"comment": "请补充数据。", "text": "请补充数据。"}
    if key == "reports:create":
        return {"organization": tree["cppcc"].pk, "year": 2024, "quarter": 2, "copy_from": ""}
    if key == "reports:import":
        return {"text": "市政协党组2024年第二季度报告\n一、主要做法\n（一）学习\n一是学习。"}
    if key == "tracking:remind":
        return {"organization": tree["cppcc"].pk, "year": 2023, "quarter": 1}
    if key == "tracking:extend":
        return {"organization": tree["cppcc"].pk, "year": 2023, "quarter": 1,
                "until": (workflow.today() + timedelta(days=7)).isoformat(), "reason": "机关调整，材料延误。"}
    if key == "reports:substitute":
        today = workflow.today()
        return {"substitute": get_user_model().objects.get(username="m-drafter").pk, "starts": today.isoformat(),
                "ends": (today + timedelta(days=1)).isoformat()}
    if key == "login":
        return {"username": "", "password": ""}
    return {}


# ---- Requests ------------------------------------------------------------------------------

# Tables a request may write to without changing data: the session, django-axes' login log.
NOT_DATA = ("django_session", "axes_")
WRITE_RE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)


def data_writes(queries):
    """The application tables a request wrote to (the SQL it ran, not what it meant to do)."""
    tables = set()
    for query in queries:
        match = WRITE_RE.match(query["sql"])
        if match and not match.group(1).startswith(NOT_DATA):
            tables.add(match.group(1))
    return tables


def body_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def leaks(response):
    content = response.body
    if response.get("Content-Type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return any(SECRET in name for name in archive.namelist())
    if response.get("Content-Type", "").startswith(XLSX_CONTENT_TYPE):  # zipped XML, its text as &#…; references
        workbook = load_workbook(io.BytesIO(content))
        return any(SECRET in str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                   for value in row if value is not None)
    return SECRET.encode() in content


def outcome_of(response, changed, *, admin=False):
    location = response.get("Location", "")
    if response.status_code == 302 and admin and location.startswith(reverse("admin:login")):
        return "admin-login"
    if response.status_code == 302 and location.startswith(reverse("login")):
        return LOGIN
    return f"{response.status_code}{'+' if changed else ''}"


def session_keys(world):
    """One session per actor, made once: each request sends its cookie (a request that ends
    the session, a logout, is rolled back like everything else)."""
    if "sessions" not in world:
        world["sessions"] = {}
        for actor, user in world["actors"].items():
            client = Client()
            client.force_login(user)
            world["sessions"][actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world["sessions"]


def request(world, actor, method, url, data, *, admin=False):
    """One request in a savepoint that is rolled back: (outcome, response)."""
    client = Client()
    if actor != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_keys(world)[actor]
    for value in (data or {}).values():
        if hasattr(value, "seek"):
            value.seek(0)  # an uploaded file is read by each actor's request in turn
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = client.get(url) if method == "GET" else client.post(url, data)
        response.body = body_of(response)  # a streaming response runs its queries now
        transaction.set_rollback(True)
    return outcome_of(response, bool(data_writes(queries.captured_queries)), admin=admin), response


def check_urls(world, state):
    mismatches, leaked = [], []
    for key, route, pattern in url_patterns():
        if is_admin(key, route):
            continue
        for variant in url_variants(route, pattern, world):
            # A variant may carry more than the URL's arguments (which of the jobs it is).
            arguments = {name: value for name, value in variant.items() if name in pattern.pattern.converters}
            url = reverse(key, kwargs=arguments) if pattern.name else "/" + route
            rule = RULES[key](state, variant)
            for method in ("GET", "POST"):
                data = post_data(key, variant, world) if method == "POST" else None
                for actor in ACTORS:
                    expected = rule[method][actor]
                    got, response = request(world, actor, method, url, data)
                    if got != expected:
                        mismatches.append(f"{state:9} {method:4} {url:55} {actor:15} expected {expected:12} got {got}")
                    if response.status_code == 200 and actor in (ANON, *BLIND) and leaks(response):
                        leaked.append(f"{state} {method} {url} {actor}")
    return mismatches, leaked


@pytest.mark.parametrize("state", STATES)
def test_permission_matrix(world, state):
    put_in_state(world, state)
    mismatches, leaked = check_urls(world, state)
    assert not mismatches, "outcomes that differ from RULES:\n" + "\n".join(mismatches)
    assert not leaked, "pages that show the report to someone who may not see it:\n" + "\n".join(leaked)


def admin_url(key, pattern, world):
    """The admin URL filled in with a real object of the model it is about."""
    from django.contrib import admin as django_admin
    from django.contrib.contenttypes.models import ContentType

    if not pattern.name:  # the admin's catch-all: any unknown address under /admin/
        return "/admin/no-such-page/"
    model = next((m for m in django_admin.site._registry
                  if pattern.name.startswith(f"{m._meta.app_label}_{m._meta.model_name}_")), None)
    obj = model.objects.order_by("pk").first() if model is not None else None
    object_id = str(obj.pk) if obj is not None else "1"
    regex = pattern.pattern.regex
    if regex.groups and not regex.groupindex:  # django-simple-history: (object_id, history_id)
        history = model.history.filter(**{model._meta.pk.attname: obj.pk}).order_by("history_id").first()
        return reverse(key, args=[object_id, history.history_id])
    samples = {
        "object_id": object_id,
        "id": object_id,
        "app_label": "reports",
        "content_type_id": ContentType.objects.get_for_model(Report).pk,
    }
    names = list(getattr(pattern.pattern, "converters", {})) or list(regex.groupindex)
    missing = [name for name in names if name not in samples]
    assert not missing, f"admin URL {pattern.pattern}: no sample for {missing}"
    kwargs = {name: samples[name] for name in names}
    if "content_type_id" in kwargs:  # "view on site" of the report
        kwargs["object_id"] = str(world["report"].pk)
    return reverse(key, kwargs=kwargs)


def test_admin_is_for_staff_only(world):
    """Every admin URL, GET and POST, for the seven actors: only the superuser gets in."""
    put_in_state(world, "approved")
    mismatches = []
    for key, route, pattern in url_patterns():
        if not is_admin(key, route):
            continue
        url = admin_url(key, pattern, world)
        rule = admin_rule(key)
        for method in ("GET", "POST"):
            for actor in ACTORS:
                expected = rule[method][actor]
                got, _response = request(world, actor, method, url, {}, admin=True)
                if expected == "staff":
                    ok = got not in (LOGIN, "admin-login") and not got.startswith("5")
                elif expected == "a login page":
                    ok = got in (LOGIN, "admin-login")
                else:
                    ok = got == expected
                if not ok:
                    mismatches.append(f"{method:4} {url:60} {actor:15} expected {expected:12} got {got} "
                                      f"{_response.get('Location', '')}")
    assert not mismatches, "admin outcomes that differ from the rule:\n" + "\n".join(mismatches)
