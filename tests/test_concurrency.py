"""Concurrent edits of one report, on PostgreSQL (real row locks, one connection per thread):
no update is lost, no request fails with a server error, and what was submitted is what the
report says.

Every write of reports/drafting/editing.py locks the report row (SELECT … FOR UPDATE) and refuses a
save based on text that changed since it was read (EditConflict); the editor answers such a
save with 409 and a form re-based on the current text. These tests start many writers at the
same moment (a barrier) and check the outcome against that contract:

* each save either succeeds or raises EditConflict (409 over HTTP), nothing else;
* the successful saves form one chain: each was based on the text the previous one wrote,
  so none overwrote a text its author had not seen;
* the final text is the last successful one, and the edit trail holds every successful save
  in order.

Run on SQLite these tests are deselected (tests/conftest.py); CI runs them in its PostgreSQL
pass: DATABASE_URL=$(bash scripts/start-postgres.sh) pytest tests/test_concurrency.py
"""

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from reports.document.model import build_document
from reports.drafting import editing
from reports.drafting.editing import EditConflict, EditRefused, fingerprint, part_values
from reports.models import Item, Membership, Report, Submission
from reports.review import workflow
from tests.fixtures import LATE_REASON

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

WRITERS = 12
MAX_ATTEMPTS = 60
JOIN_SECONDS = 120


def run_at_once(count, target):
    """Run target(i) in `count` threads started together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            results[index] = target(index, barrier)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a writer hung (deadlock?)"
    return results


@pytest.fixture
def shared(report_factory, measure_factory, tree, make_user):
    """A complete report of 市政协党组 and four of its drafters."""
    assert connection.vendor == "postgresql"
    report = report_factory(
        tree["cppcc"],
        closing="特此报告。",
        signature_name="中共市政协党组",
        sections=[("主要做法", "practices", [("深化理论学习", ["原来的文字。", "第二项。"])])],
    )
    measure_factory(report, "学习会议", value=Decimal("3"))
    drafters = [make_user(f"c-drafter-{n}", organization=tree["cppcc"], role=Membership.Role.DRAFTER) for n in range(4)]
    item = Item.objects.get(section__report=report, text="原来的文字。")
    return {"report": report, "drafters": drafters, "item": item}


def read(report_id, item_id):
    """What an editor shows: the report's version and the item's fingerprint."""
    report = Report.objects.get(pk=report_id)
    item = Item.objects.get(pk=item_id)
    return report, item, report.version, fingerprint(part_values(item, "item"))


def check_chain(successes, initial_version, final_text):
    """Each success was based on the version the previous one wrote; the last one's text stays."""
    chain = sorted(successes, key=lambda success: success["version"])
    expected_base = initial_version
    for success in chain:
        assert success["base"] == expected_base, f"a save based on version {success['base']} overwrote {expected_base}"
        assert success["version"] == success["base"] + 1
        expected_base = success["version"]
    assert final_text == chain[-1]["text"], "the final text is the last successful save"
    return [success["text"] for success in chain]


def test_many_writers_of_one_item_lose_no_update(shared):
    report, drafters, item = shared["report"], shared["drafters"], shared["item"]
    initial_version = Report.objects.get(pk=report.pk).version

    def writer(index, barrier):
        text = f"第{index + 1}位起草人的文字。"
        outcome = {"text": text, "conflicts": 0, "first_try": None}
        for attempt in range(MAX_ATTEMPTS):
            fresh_report, fresh_item, base_version, base_fingerprint = read(report.pk, item.pk)
            if attempt == 0:
                barrier.wait(30)  # everyone has read the same version: all save at once
            try:
                editing.save_part(user=drafters[index % len(drafters)], report=fresh_report, kind="item", obj=fresh_item,
                                  values={"text": text}, base_version=base_version, base_fingerprint=base_fingerprint)
            except EditConflict:
                outcome["conflicts"] += 1
                if attempt == 0:
                    outcome["first_try"] = "conflict"
                continue  # as a user does: look at the current text, then save again
            if attempt == 0:
                outcome["first_try"] = "saved"
            return {**outcome, "base": base_version, "version": fresh_report.version}
        raise AssertionError(f"writer {index} never got a save in")

    results = run_at_once(WRITERS, writer)
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    # Everyone read the same version: the first round has exactly one winner.
    assert [result["first_try"] for result in results].count("saved") == 1
    assert sum(result["conflicts"] for result in results) >= WRITERS - 1

    final = Item.objects.get(pk=item.pk)
    order = check_chain(results, initial_version, final.text)
    assert Report.objects.get(pk=report.pk).version == initial_version + WRITERS
    # The edit trail holds every save, in the order they were made.
    trail = list(Item.history.filter(id=item.pk).order_by("history_date", "history_id").values_list("text", flat=True))
    assert trail[-WRITERS:] == order


def hidden(html, name):
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


def test_many_writers_through_the_editor_get_saved_or_409_never_500(shared):
    """The same race through the HTTP editor (htmx requests): the loser of each round gets 409 and
    a form re-based on the current text, saves again, and in the end every text was saved once."""
    report, drafters, item = shared["report"], shared["drafters"], shared["item"]
    url = reverse("reports:part_edit", kwargs={"pk": report.pk, "kind": "item", "part_id": item.pk})
    clients = []
    for index in range(WRITERS):
        client = Client(raise_request_exception=True, HTTP_HX_REQUEST="true")
        client.force_login(drafters[index % len(drafters)])
        clients.append(client)
    opened = clients[0].get(url).content.decode()  # everyone opened the form at the same version
    base = {"base_version": hidden(opened, "base_version"), "base_fingerprint": hidden(opened, "base_fingerprint")}

    def writer(index, barrier):
        text = f"第{index + 1}位起草人在网页上写的文字。"
        data = {"text": text, **base}
        statuses = []
        barrier.wait(30)
        for _attempt in range(MAX_ATTEMPTS):
            response = clients[index].post(url, data)
            statuses.append(response.status_code)
            if response.status_code == 200:
                return {"text": text, "statuses": statuses}
            assert response.status_code == 409, f"writer {index}: {response.status_code}"
            page = response.content.decode()
            # The conflict form is re-based on the current text: saving it again is deliberate.
            data = {"text": text, "base_version": hidden(page, "base_version"),
                    "base_fingerprint": hidden(page, "base_fingerprint")}
        raise AssertionError(f"writer {index} never got a save in: {statuses}")

    results = run_at_once(WRITERS, writer)
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    statuses = [status for result in results for status in result["statuses"]]
    assert set(statuses) <= {200, 409} and statuses.count(200) == WRITERS
    assert [result["statuses"][0] for result in results].count(200) == 1, "one winner in the first round"
    final = Item.objects.get(pk=item.pk).text
    trail = list(Item.history.filter(id=item.pk).order_by("history_date", "history_id").values_list("text", flat=True))
    assert sorted(trail[-WRITERS:]) == sorted(result["text"] for result in results), "every text saved once"
    assert trail[-1] == final


def test_items_added_and_moved_at_once_keep_their_numbering(shared):
    """Adding and moving items of one heading at once: every item is kept, positions stay 1..n."""
    report, drafters, item = shared["report"], shared["drafters"], shared["item"]
    heading = item.heading

    def writer(index, barrier):
        user = drafters[index % len(drafters)]
        barrier.wait(30)
        fresh = Report.objects.get(pk=report.pk)
        if index % 3 == 2:
            moved = Item.objects.get(pk=item.pk)
            return editing.move_part(user=user, report=fresh, kind="item", obj=moved, step=1 if index % 2 else -1)
        section = heading.section
        return editing.add_item(user=user, report=fresh, section=section, heading=heading, text=f"新增第{index}项。").text

    results = run_at_once(WRITERS, writer)
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    items = list(Item.objects.filter(heading=heading).order_by("position"))
    assert [i.position for i in items] == list(range(1, len(items) + 1))
    added = {result for result in results if isinstance(result, str)}
    assert added <= {i.text for i in items} and len(items) == 2 + len(added)


def test_saves_racing_the_submission_never_change_what_was_submitted(shared):
    """Writers save while the drafter submits: a save before the submission is in it, a save
    after it is refused; the snapshot under review is exactly what the report says."""
    report, drafters, item = shared["report"], shared["drafters"], shared["item"]

    def actor(index, barrier):
        if index == 0:
            fresh = Report.objects.get(pk=report.pk)
            barrier.wait(30)
            workflow.submit(fresh, actor=drafters[0], notify=False, late_reason=LATE_REASON)
            return "submitted"
        outcomes = []
        barrier.wait(30)
        for round_ in range(5):
            fresh_report, fresh_item, version, print_ = read(report.pk, item.pk)
            try:
                editing.save_part(user=drafters[index % len(drafters)], report=fresh_report, kind="item", obj=fresh_item,
                                  values={"text": f"第{index}位第{round_}次。"}, base_version=version, base_fingerprint=print_)
                outcomes.append("saved")
            except EditConflict:
                outcomes.append("conflict")
            except EditRefused as refused:
                assert refused.code == "not_editable"
                outcomes.append("refused")
        return outcomes

    results = run_at_once(WRITERS, actor)
    errors = [result for result in results if isinstance(result, BaseException)]
    assert not errors, errors
    report.refresh_from_db()
    assert report.status == "submitted"
    submission = Submission.objects.get(report=report)
    frozen = "\n".join("".join(run["text"] for run in paragraph["runs"]) for paragraph in submission.paragraphs)
    assert frozen == build_document(report).text, "nothing changed the report after it was submitted"
