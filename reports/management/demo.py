"""Demo data: the bodies, people and sample report described in fixtures/.

Loading is idempotent: bodies, users and measures are matched by name, and a report that
already exists is kept as it is (a drafter may have edited it) unless `reset` is asked for.
The sample report is what the importer makes of the real sample text
(fixtures/quarterly-report-2023Q1.txt), with the values of its counts from a small map.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from reports.drafting import annual
from reports.drafting.structure import create_report_from_structure
from reports.evidence import attach, claims
from reports.management import demo_files
from reports.models import (
    Evidence,
    Extension,
    Measure,
    Membership,
    Organization,
    Problem,
    ProblemEvent,
    Report,
    ReportEvent,
    ReviewStep,
    Submission,
    record_first_submissions,
)
from reports.quality import jobs
from reports.review import chain, workflow
from reports.tracking import carried, ledger, tallies
from reports.tracking.deadlines import local_date

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_FILE = FIXTURES / "demo-organizations.json"


@dataclass
class DemoResult:
    password: str
    users: list = field(default_factory=list)  # (username, name, roles)
    created_reports: list = field(default_factory=list)
    kept_reports: list = field(default_factory=list)


def read_fixture(name):
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return imported_fixture(data) if "import" in data else data


def imported_fixture(entry):
    """A fixture that names a text to import: the importer's structure, completed by the
    fixture's signature, date, and the values and scopes of the measures it finds."""
    from reports.word.importing import parse_text

    parsed = parse_text((FIXTURES / entry["import"]).read_text(encoding="utf-8"))
    data = parsed.structure()
    data.update(
        organization=entry["organization"],
        year=entry["year"],
        quarter=entry["quarter"],
        signature=entry.get("signature") or data["signature"],
        date=entry.get("date") or data["date"],
        **{key: entry[key] for key in ("drafter", "ledger", "plans", "progress", "history", "evidence") if key in entry},
    )
    values, scopes = entry.get("values", {}), entry.get("scopes", {})
    data["measures"] = [
        {"name": found.name, "unit": found.unit, "scope": scopes.get(found.name), "value": values.get(found.name)}
        for found in parsed.measures
    ]
    return data


@transaction.atomic
def load_demo_data(*, reset=False):
    demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    result = DemoResult(password=demo["password"])

    organizations = {}
    for entry in demo["organizations"]:
        organization, _ = Organization.objects.update_or_create(
            name=entry["name"],
            defaults={
                "short_name": entry.get("short_name", ""),
                "parent": organizations.get(entry["parent"]) if entry["parent"] else None,
                # Input stays open while the history is written (set_up_deadlines closes it after).
                "closes_input": False,
            },
        )
        organizations[organization.name] = organization

    User = get_user_model()
    for entry in demo["users"]:
        user, _ = User.objects.get_or_create(username=entry["username"])
        user.first_name = entry["name"]
        user.email = entry.get("email", "")
        user.is_superuser = user.is_staff = bool(entry.get("superuser"))
        user.is_active = True
        user.set_password(demo["password"])
        user.save()
        for organization_name, role in entry["memberships"]:
            Membership.objects.get_or_create(user=user, organization=organizations[organization_name], role=role)
        roles = [f"{org}·{Membership.Role(role).label}" for org, role in entry["memberships"]] or ["管理员"]
        result.users.append((user.username, entry["name"], roles))

    users = {user.username: user for user in User.objects.filter(username__in=[entry["username"] for entry in demo["users"]])}
    set_up_chains(organizations, demo, users)

    for report_file in demo["reports"]:
        data = read_fixture(report_file)
        organization = organizations[data["organization"]]
        existing = Report.objects.filter(organization=organization, year=data["year"], quarter=data["quarter"])
        if existing.exists() and not reset:
            result.kept_reports.append(existing.get())
            continue
        existing.delete()
        if data.get("assemble"):
            # The annual report, started from the year's approved quarters as a drafter starts it.
            drafter = get_user_model().objects.get(username=data["drafter"])
            result.created_reports.append(annual.assemble_annual(user=drafter, organization=organization, year=data["year"]))
            continue
        measures, values = {}, {}
        for entry in data["measures"]:
            measure, _ = Measure.objects.get_or_create(
                name=entry["name"],
                unit=entry["unit"],
                organization=organizations[entry["scope"]] if entry.get("scope") else None,
            )
            measures[entry["name"]] = measure
            if entry.get("value") is not None:
                values[entry["name"]] = Decimal(str(entry["value"]))
        report = create_report_from_structure(
            organization=organization,
            year=data["year"],
            quarter=data["quarter"],
            data=data,
            measures_by_name=measures,
            values_by_name=values,
        )
        carry_over(report, data)
        attach_evidence(report, data)
        if data.get("history"):
            replay_history(report, data["history"])
        result.created_reports.append(report)
    set_up_deadlines(organizations, demo, users)
    # The history's dates are set by updates, which bypass what keeps the board's counts per subtree.
    tallies.recount()
    # The check of each report as the demo leaves it, with every other report to compare with.
    jobs.refresh_all(Report.objects.select_related("organization").order_by("year", "period_order", "pk"))
    return result


def carry_over(report, data):
    """What the fixture's drafter typed in the editor's panels: problems entered in the ledger before
    approval ("ledger", by their place in 存在的主要问题), progress on last quarter's entries
    ("progress") and answers to last quarter's plans ("plans", in their order)."""
    if not data.get("drafter"):
        return
    drafter = get_user_model().objects.get(username=data["drafter"])
    texts = ledger.problem_texts(report)
    for entry in data.get("ledger", []):
        problem = ledger.open_early(report, texts[entry["item"] - 1], actor=drafter)
        _set_details(problem, entry, drafter)
    for entry in data.get("progress", []):
        problem = Problem.objects.get(organization_id=report.organization_id, text=entry["problem"])
        carried.save_progress(report, problem, actor=drafter, progress=entry.get("progress", ""),
                              measures=entry.get("measures", ""), leader=entry.get("leader", ""),
                              department=entry.get("department", ""),
                              deadline=date.fromisoformat(entry["deadline"]) if entry.get("deadline") else None)
    for position, answer in enumerate(data.get("plans", []), 1):
        carried.answer_plan(report, position, actor=drafter, answer=answer["answer"], note=answer.get("note", ""))


def attach_evidence(report, data):
    """The fixture's 佐证材料 ("evidence"), uploaded by its drafter while the report is a draft: each
    on an item (by its place among the report's items), a measure (by name), a ledger entry (by its
    text) or the whole report, with files drawn by demo_files."""
    if not data.get("evidence"):
        return
    drafter = get_user_model().objects.get(username=data["drafter"])
    items = [claim.target for claim in claims.report_claims(report) if claim.kind == "item"]
    for entry in data["evidence"]:
        if "item" in entry:
            target = items[entry["item"] - 1]
        elif "measure" in entry:
            target = f"measure-{Measure.objects.filter(name=entry['measure'], values__report=report).get().pk}"
        elif "problem" in entry:
            target = f"problem-{Problem.objects.get(organization_id=report.organization_id, text=entry['problem']).pk}"
        else:
            target = ""
        name, content = demo_files.demo_file(entry)
        attach.attach(report, target=target, name=name, data=content, actor=drafter, title=entry["title"])


def _review_round(report, drafter, reviewer, approver, submitted_at, approved_at, late_reason):
    """One submission and its review, dated: the reviewer passes each step before the last, the
    approver (the last step's holder) approves, halfway between the two times for the steps between."""
    submitted = workflow.submit(report, actor=drafter, notify=False, on=local_date(submitted_at), late_reason=late_reason)
    Submission.objects.filter(report=report, number=report.submissions.count()).update(submitted_at=submitted_at)
    record_first_submissions(Report.objects.filter(pk=report.pk))  # the update bypasses Submission.save
    ReportEvent.objects.filter(pk=submitted.pk).update(created_at=submitted_at)
    for _step in chain.chain(report.organization_id)[:-1]:
        passed = workflow.pass_on(report, actor=reviewer, notify=False)
        ReportEvent.objects.filter(pk=passed.pk).update(created_at=submitted_at + (approved_at - submitted_at) / 2)
    approved = workflow.approve(report, actor=approver, notify=False)
    ReportEvent.objects.filter(pk=approved.pk).update(created_at=approved_at)


def set_up_chains(organizations, demo, users):
    """The bodies' review chains, as the demo file says."""
    for entry in demo["organizations"]:
        organization = organizations[entry["name"]]
        if "review_steps" in entry:
            ReviewStep.objects.filter(organization=organization).delete()
            for position, step in enumerate(entry["review_steps"], 1):
                made = ReviewStep.objects.create(organization=organization, position=position, name=step["name"])
                made.members.set([users[name] for name in step.get("members", [])])


def set_up_deadlines(organizations, demo, users):
    """The supervising bodies' deadlines and the extensions granted (准予延期); set once the
    history is loaded, which was written while input was open. An extension runs for its days
    from the day the demo is loaded."""
    for entry in demo["organizations"]:
        if entry.get("deadlines"):
            Organization.objects.filter(pk=organizations[entry["name"]].pk).update(**entry["deadlines"])
    today = local_date(timezone.now())
    for entry in demo.get("extensions", []):
        Extension.objects.get_or_create(
            organization=organizations[entry["organization"]], year=entry["year"], quarter=entry["quarter"],
            defaults={"until": today + timedelta(days=entry["days"]), "reason": entry["reason"],
                      "granted_by": users[entry["granted_by"]]})


def _set_details(problem, entry, actor):
    problem.measures, problem.leader, problem.department = entry["measures"], entry["leader"], entry["department"]
    problem.deadline = date.fromisoformat(entry["deadline"])
    problem._history_user = actor
    problem.save()


def replay_history(report, history):
    """Submit and approve through the real workflow (each step of the body's chain), then date the
    steps as the fixture says; a report sent back from above goes round again before its 签收."""
    User = get_user_model()
    drafter, reviewer = User.objects.get(username=history["drafter"]), User.objects.get(username=history["reviewer"])
    approver = User.objects.get(username=history.get("leader", history["reviewer"]))
    submitted_at, approved_at = (datetime.fromisoformat(history[key]) for key in ("submitted", "approved"))
    _review_round(report, drafter, reviewer, approver, submitted_at, approved_at, history.get("late_reason", ""))
    Evidence.objects.filter(report=report).update(uploaded_at=submitted_at - timedelta(days=1))
    if history.get("sent_back"):  # 上级退回 once, fixed and sent up again
        again = history["sent_back"]
        overseer = User.objects.get(username=history["overseer"])
        sent_back = workflow.send_back(report, actor=overseer, comment=again["comment"], notify=False)
        ReportEvent.objects.filter(pk=sent_back.pk).update(created_at=datetime.fromisoformat(again["at"]))
        approved_at = datetime.fromisoformat(again["approved"])
        _review_round(report, drafter, reviewer, approver, datetime.fromisoformat(again["resubmitted"]), approved_at, "")
    Report.objects.filter(pk=report.pk).update(created_by=drafter, updated_by=drafter, updated_at=approved_at)
    if history.get("accepted"):  # 签收ed by the overseer of the body it was 报送ed to
        accepted = workflow.accept(report, actor=User.objects.get(username=history["overseer"]), notify=False)
        ReportEvent.objects.filter(pk=accepted.pk).update(created_at=datetime.fromisoformat(history["accepted"]))
    # Problems of the report rectified since: proposed by its drafter, closed (销号) by its reviewer.
    for entry in history.get("rectified", []):
        problem = Problem.objects.get(organization_id=report.organization_id, text=entry["problem"])
        proposed = ledger.act(problem, ledger.PROPOSE, actor=drafter, comment=entry["outcome"])
        closed = ledger.act(problem, ledger.CLOSE, actor=reviewer)
        ProblemEvent.objects.filter(pk=proposed.pk).update(created_at=datetime.fromisoformat(entry["proposed"]))
        ProblemEvent.objects.filter(pk=closed.pk).update(created_at=datetime.fromisoformat(entry["closed"]))
