"""The editor's panels of what a report carries over from last quarter: the ledger's open entries,
each with this quarter's progress (and its measures, leader and deadline), and last quarter's
plans as a checklist; each can be printed in the report as a generated part (reports.tracking.carried).

Each entry and each plan saves on its own and answers with its own block (htmx), then the sheet
and the check panel reload, as a figure of the measures panel does.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from reports.drafting import editing
from reports.evidence.attach import counts
from reports.models import GENERATED_SECTION_KINDS, Item, PlanCheck, Problem, Report, Section
from reports.tracking import carried, ledger
from reports.tracking.carried import CarriedRefused
from reports.views.access import editable_report_view


@dataclass(frozen=True)
class PanelEntry:
    entry: ledger.Entry
    progress: str
    status: str
    found_now: bool = False  # found in this report's quarter: no progress to tell yet

    @property
    def problem(self):
        return self.entry.problem

    @property
    def status_label(self):
        return Problem.Status(self.status).label


def rectification_entries(report: Report, user) -> list[PanelEntry]:
    """What the report's 上季度问题整改情况 speaks of, each with its age and the user's actions."""
    rectified = carried.rectified(report)
    shown = ledger.entries([entry.problem for entry in rectified], user)
    return [PanelEntry(entry, row.progress, row.status) for entry, row in zip(shown, rectified, strict=True)]


def printed_sections(report: Report) -> dict[str, Section]:
    """{generated kind: its section} of the generated parts the report prints."""
    return {section.kind: section for section in report.sections.filter(kind__in=GENERATED_SECTION_KINDS)}


def not_yet_in_ledger(report: Report, known: list[Problem]) -> list[Item]:
    """The items of the report's 存在的主要问题 that no open ledger entry words alike."""
    items = Item.objects.filter(section__report=report, section__kind=Section.Kind.PROBLEMS).exclude(text="").order_by(
        "section__position", "heading__position", "position")
    return [item for item in items if not any(ledger.same_problem(problem.text, item.text) for problem in known)]


def found_now(report: Report, user) -> list[PanelEntry]:
    """The entries this report's problems opened before its approval (ledger.open_early)."""
    problems = list(ledger.found_now(report).select_related("closing_proposed_by").order_by("id"))
    return [PanelEntry(entry, "", entry.problem.status, found_now=True) for entry in ledger.entries(problems, user)]


def panel_context(request: HttpRequest, report: Report) -> dict:
    if report.annual:  # its problems are the year's ledger entries already; it answers no last quarter
        return {"rectification": [], "found_now": [], "plans": [], "printed": {}, "new_problems": [],
                "answers": PlanCheck.Answer.choices}
    entries = rectification_entries(report, request.user)
    opened = found_now(report, request.user)
    open_problems = list(Problem.objects.filter(organization_id=report.organization_id, status__in=ledger.STILL_OPEN))
    return {
        "rectification": entries,
        "found_now": opened,
        "plans": carried.plans(report),
        "printed": printed_sections(report),
        "new_problems": not_yet_in_ledger(report, open_problems),
        "answers": PlanCheck.Answer.choices,
    }


class ProgressForm(forms.Form):
    """No max_length: a browser would cut a paste silently; the length is checked on saving."""

    progress = forms.CharField(label=gettext_lazy("本季度整改进展"), required=False, widget=forms.Textarea)
    measures = forms.CharField(label=gettext_lazy("整改措施"), required=False, widget=forms.Textarea)
    leader = forms.CharField(label=gettext_lazy("责任领导"), required=False)
    department = forms.CharField(label=gettext_lazy("责任部门"), required=False)
    deadline = forms.DateField(label=gettext_lazy("整改时限"), required=False,
                               error_messages={"invalid": gettext_lazy("请填写有效的日期，如 2023-06-30。")})


def _changed(response):
    trigger_client_event(response, "measuresChanged")  # the sheet reloads on it
    trigger_client_event(response, "reportChanged")  # and the check panel
    return response


def _entry_response(request, report, problem, *, error="", typed=None, status=200):
    shown = rectification_entries(report, request.user) + found_now(report, request.user)
    entry = next((entry for entry in shown if entry.problem.pk == problem.pk), None)
    if entry is None:
        raise Http404
    response = render(request, "reports/editor/_rectification_entry.html",
                      {"report": report, "item": entry, "error": error, "typed": typed, "can_edit": True,
                       "evidence_counts": counts(report)}, status=status)
    return _changed(response) if status == 200 else response


@require_POST
@editable_report_view
def progress(request: HttpRequest, report: Report, problem_id: int) -> HttpResponse:
    problem = get_object_or_404(Problem, pk=problem_id, organization_id=report.organization_id)
    form = ProgressForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            carried.save_progress(report, problem, actor=request.user, **form.cleaned_data)
        except CarriedRefused as refused:
            error = refused.message
    else:
        error = " ".join(message for errors in form.errors.values() for message in errors)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("已保存整改进展。"))
        return redirect(reverse("reports:edit", args=[report.pk]) + f"#ledger-entry-{problem.pk}")
    if error:
        return _entry_response(request, report, problem, error=error, typed=request.POST, status=422)
    return _entry_response(request, report, problem)


@require_POST
@editable_report_view
def plan_answer(request: HttpRequest, report: Report, position: int) -> HttpResponse:
    error = ""
    try:
        carried.answer_plan(report, position, actor=request.user, answer=request.POST.get("answer", ""),
                            note=request.POST.get("note", ""))
    except CarriedRefused as refused:
        error = refused.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(reverse("reports:edit", args=[report.pk]) + f"#plan-{position}")
    plan = next((plan for plan in carried.plans(report) if plan.position == position), None)
    if plan is None:
        response = render(request, "reports/editor/_message.html", {"level": "danger", "message": error}, status=409)
        return response
    context = {"report": report, "plan": plan, "error": error, "typed": request.POST if error else None,
               "answers": PlanCheck.Answer.choices, "can_edit": True}
    response = render(request, "reports/editor/_plan_row.html", context, status=422 if error else 200)
    return response if error else _changed(response)


@require_POST
@editable_report_view
def print_part(request: HttpRequest, report: Report, kind: str) -> HttpResponse:
    """Print a generated part in the report, or stop printing it: the page reloads with it."""
    if kind not in GENERATED_SECTION_KINDS:
        raise Http404
    section = editing.print_generated_part(user=request.user, report=report, kind=kind, on=request.POST.get("on") == "1")
    target = reverse("reports:edit", args=[report.pk])
    return redirect(target + (f"#section-{section.pk}" if section else ""))


@require_POST
@editable_report_view
def open_problem(request: HttpRequest, report: Report, item_id: int) -> HttpResponse:
    """A problem this report names, entered in the ledger before the report is approved."""
    item = get_object_or_404(Item, pk=item_id, section__report=report, section__kind=Section.Kind.PROBLEMS,
                             section__report__quarter__isnull=False)
    problem = ledger.open_early(report, item.text, actor=request.user)
    messages.success(request, _("已列入问题整改台账，可填写整改措施、责任和时限。"))
    return redirect(reverse("reports:edit", args=[report.pk]) + f"#ledger-entry-{problem.pk}")
