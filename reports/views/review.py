"""Review: the submitted snapshot, what changed since the last round, comments, and the actions
a user may take (computed by the workflow, so the page holds no permission logic)."""

from datetime import date

from django.contrib import messages
from django.db.models import F
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from reports.access import can_comment, can_edit, supervises
from reports.document.model import build_document
from reports.document.snapshots import compare, snapshot_document
from reports.evidence.attach import counts as evidence_counts
from reports.labels import person_name
from reports.models import ReportEvent
from reports.quality.check import check_report
from reports.review import chain, substitutes, suggestions, versions, workflow
from reports.review.comments import CommentRefused, add_comment, comment_targets, current_document, marked_from_above
from reports.review.inbox import awaiting_reports
from reports.review.timeline import timeline_entries
from reports.review.workflow import ReportIncomplete, WorkflowError
from reports.tracking import carried, ledger
from reports.views import evidence_panel, ledger_pages, typed
from reports.views.access import visible_report
from reports.word.pdf import pdf_available

ACTION_LABELS = dict(ReportEvent.Action.choices)
def keep_typed(request, report, box, text):
    """A refused reason or comment goes back into its box on the page the user is sent to."""
    typed.keep(request, "review", text, report=report.pk, box=box)


def typed_back(request, report):
    """{box: text} of what was refused on this report's review page, once."""
    kept = typed.take(request, "review")
    return {kept["box"]: kept["text"]} if kept.get("report") == report.pk else {}


def comments_by_ref(comments):
    grouped = {}
    for comment in comments:
        grouped.setdefault(comment.ref, []).append(comment)
    return grouped


@require_safe
def review(request, pk):
    report = visible_report(request, pk)
    submissions = versions.submissions(report)
    current = submissions[0] if submissions else None
    previous = submissions[1] if len(submissions) > 1 else None
    bases = versions.bases(report, submissions) if current else []
    base = chosen_base(bases, request.GET.get("compare"))
    show_diff = base is not None
    document = snapshot_document(current) if current else build_document(report)
    comments = marked_from_above(report, list(report.comments.select_related("author", "submission").order_by("created_at")))
    current_comments = [c for c in comments if current and c.submission_id == current.id]
    for comment in comments:
        comment.earlier = comment not in current_comments
    diff = compare(base.submission, current) if show_diff else None
    rows = diff if diff is not None else [{"paragraph": paragraph, "ref": paragraph.ref} for paragraph in document.paragraphs]
    place_suggestions(rows, suggestions.open_suggestions(report))
    context = {
        "report": report,
        "current": current,
        "previous": previous,
        "submissions": submissions,
        "document": document,
        "diff": diff,
        "rows": rows,
        "may_suggest": suggestions.may_suggest(request.user, report),
        "changed_count": sum(1 for paragraph in diff or [] if paragraph["changed"]),
        "show_diff": show_diff,
        "bases": bases,
        "base": base,
        # Earlier rounds' remarks stay at their parts (a part keeps its ref from round to round),
        # after this round's and marked with the round they were made on.
        "comments_at": comments_by_ref(current_comments + [c for c in comments if c not in current_comments and c.ref]),
        "report_comments": [c for c in current_comments if not c.ref],
        "earlier_comments": [c for c in comments if c not in current_comments],
        "targets": comment_targets(document),
        "actions": workflow.available_actions(request.user, report),
        "can_comment": can_comment(request.user, report),
        "can_edit": can_edit(request.user, report),
        "events": list(report.events.select_related("actor", "on_behalf_of").order_by("-created_at")[:10]),
        **_chain_context(report),
        "typed": typed_back(request, report),
        "pdf_available": pdf_available(),
        "ledger_entries": ledger.open_entries(report.organization_id, request.user),
        "plans": carried.plans(report),
        "ledger_typed": ledger_pages.typed_back(request),
        "evidence_counts": evidence_counts(report),
        "quality": check_report(report),
        # The overseer may see which bodies a copied part is like, and both texts.
        "quality_detail_url": reverse("tracking:quality_report", args=[report.pk])
        if supervises(request.user, report) or request.user.is_superuser else "",
    }
    context.update(evidence_panel.panel_context(request, report, editable=False))
    return render(request, "reports/review.html", context)


NO_COMPARISON = "none"


def chosen_base(bases, asked):
    """The version the page marks changes against: the one asked for (?compare=previous,
    approved, period or none), else the previous round if there is one. A first submission is
    shown clean; last quarter's report is one click away."""
    if asked == NO_COMPARISON:
        return None
    default = next((base for base in bases if base.kind == versions.PREVIOUS), None)
    return next((base for base in bases if base.kind == asked), default)


def place_suggestions(rows, shown):
    """Each open suggestion under the first paragraph that shows its part (a removed paragraph
    of the comparison shows none); one whose part no longer prints goes under the last."""
    by_ref, seen = {}, set()
    for item in shown:
        by_ref.setdefault(item.suggestion.ref, []).append(item)
    for row in rows:
        groups = row["paragraph"].groups() if "paragraph" in row and not row.get("removed") else []
        # Each part's runs, and whether this is where the part begins (it takes the part's anchor).
        row["parts"] = [{"ref": ref, "runs": runs, "first": bool(ref) and ref not in seen} for ref, runs in groups]
        seen.update(ref for ref, _runs in groups)
        refs = [ref for ref, _runs in groups]
        row["suggested"] = [item for ref in dict.fromkeys([row.get("ref", ""), *refs]) for item in by_ref.pop(ref, [])]
    if rows and by_ref:
        rows[-1]["suggested"] += [item for rest in by_ref.values() for item in rest]


def _chain_context(report):
    """The chain's progress for the side panel, with the step the report waits at and the next."""
    progress = chain.progress(report)
    current = next((entry.step for entry in progress if entry.state == "current"), None)
    following = next((entry.step for entry in progress if current and entry.step.number == current.number + 1), None)
    return {"progress": progress, "current_step": current, "next_step": following}


@require_POST
def comment(request, pk):
    report = visible_report(request, pk)
    ref = request.POST.get("ref", "")
    places = dict(comment_targets(current_document(report)))
    if ref and ref not in places:
        ref = ""  # a part that is no longer in the submission: the comment is about the report
    try:
        add_comment(user=request.user, report=report, text=request.POST.get("text", ""), ref=ref, place=places.get(ref, ""))
        messages.success(request, _("批注已保存。"))
    except CommentRefused as refused:
        messages.error(request, refused.message)
        keep_typed(request, report, "comment", request.POST.get("text", ""))
    return redirect("reports:review", pk=report.pk)


INCOMPLETE_SHOWN = 10  # lines of a refused submission; the check panel beside it has them all
NOTE_FIELD = "note-"  # a figure's 说明 in the submission form: note-<measure id>


@require_POST
def act(request, pk, action):
    """Submit, approve, return or reopen: the workflow decides, the page reports its answer."""
    report = visible_report(request, pk)
    text = request.POST.get("comment", "")
    ref = request.POST.get("ref", "")
    notes = {int(name.removeprefix(NOTE_FIELD)): value for name, value in request.POST.items()
             if name.startswith(NOTE_FIELD) and name.removeprefix(NOTE_FIELD).isdigit()}
    try:
        workflow.perform(action, report, actor=request.user, comment=text, at_ref=ref, notes=notes)
    except ReportIncomplete as incomplete:
        # One line a place, each a link to it: a place with the same blank three times is one line.
        lines = list({problem.message: problem for problem in incomplete.problems}.values())
        messages.error(request, render_to_string("reports/editor/_incomplete.html", {
            "message": incomplete.message, "report": report, "shown": lines[:INCOMPLETE_SHOWN],
            "more": max(0, len(lines) - INCOMPLETE_SHOWN)}, request=request))
        return redirect("reports:edit", pk=report.pk)
    except (WorkflowError, CommentRefused) as refused:
        messages.error(request, refused.message)
        keep_typed(request, report, action, text)
        return redirect("reports:edit" if request.POST.get("back") == "edit" else "reports:review", pk=report.pk)
    done = {
        workflow.SUBMIT: _("已提交，等待审核。"),
        workflow.PASS: _("已审核通过，送下一环节。"),
        workflow.APPROVE: _("已审定。报告已锁定，不能再修改。"),
        workflow.RETURN: _("已退回起草人修改。"),
        workflow.REOPEN: _("已重新打开，起草人可以修改。"),
        workflow.ACCEPT: _("已签收。报告已锁定，统计数计入汇总。"),
        workflow.SEND_BACK: _("已退回报送单位修改。"),
        workflow.UNACCEPT: _("已撤销签收，报告回到待签收。"),
    }
    messages.success(request, done[action])
    return redirect("reports:detail" if action == workflow.SUBMIT else "reports:review", pk=report.pk)


@require_safe
def timeline(request, pk):
    report = visible_report(request, pk)
    return render(request, "reports/timeline.html", {"report": report, "entries": timeline_entries(report)})


@require_safe
def inbox(request):
    # The longest waiting first: the one to take up next.
    reports = list(awaiting_reports(request.user).order_by(F("waiting_since").asc(nulls_last=True), "-updated_at"))
    today = workflow.today()
    steps = chain.chains({report.organization_id for report in reports if report.status == workflow.SUBMITTED})
    mine = chain.standing(request.user, today)
    absent_names = {s.absent_id: s.absent for s in substitutes.standing_for(request.user, today)}
    for report in reports:
        if report.organization_id in steps:
            step = chain.current(report, steps[report.organization_id])
            report.step = step if len(steps[report.organization_id]) > 1 else None
            deciders = mine.deciders(report.organization_id, step, steps[report.organization_id])
            report.for_whom = absent_names.get(deciders[0]) if deciders and None not in deciders else None
    reviews = substitutes.review_bodies(request.user)
    return render(request, "reports/inbox.html", {
        "reports": reports,
        "with_last_period": versions.with_previous_period(
            [report for report in reports if report.status in (workflow.SUBMITTED, workflow.APPROVED)]),
        "reviews": bool(reviews),
        "candidates": substitutes.candidates(request.user, reviews) if reviews else [],
        "my_substitutions": chain.active_substitutions(request.user, today),
        "standing_for": list(absent_names.values()),
        "today": today,
    })


def _date(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_POST
def substitute(request):
    """Name a 代审 for some days (the reviewer on leave does it from their 待办)."""
    try:
        substitute_id = int(request.POST.get("substitute") or 0)
    except ValueError:
        substitute_id = 0
    try:
        made = substitutes.name_substitute(absent=request.user, substitute_id=substitute_id,
                                           starts=_date(request.POST.get("starts")), ends=_date(request.POST.get("ends")),
                                           today=workflow.today())
    except substitutes.SubstitutionRefused as refused:
        messages.error(request, refused.message)
        return redirect("reports:inbox")
    messages.success(request, _("已设置代审：%(start)s 至 %(end)s 由 %(name)s 代为审核。") % {
        "start": made.starts.strftime("%Y-%m-%d"), "end": made.ends.strftime("%Y-%m-%d"),
        "name": person_name(made.substitute)})
    return redirect("reports:inbox")


@require_POST
def end_substitute(request, substitution_id):
    try:
        substitutes.end_substitution(absent=request.user, substitution_id=substitution_id, today=workflow.today())
    except substitutes.SubstitutionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("代审已结束，报告回到您的待办。"))
    return redirect("reports:inbox")
