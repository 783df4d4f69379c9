"""Suggestions (reports.review.suggestions): a reviewer edits a part on the review page and it is
saved as a suggestion; the drafter accepts or rejects it in the editor."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reports.document.parts import text_parts
from reports.models import Suggestion
from reports.review import suggestions
from reports.review.comments import current_document
from reports.review.suggestions import SuggestionRefused
from reports.views import editor
from reports.views.access import refusal, visible_report
from reports.views.measures_context import panel_context

FIELD_PREFIX = "after-"


def _review_url(report, ref=""):
    return reverse("reports:review", args=[report.pk]) + (f"#part-{ref}" if ref else "")


@require_http_methods(["GET", "POST"])
def suggest(request, pk, ref):
    """GET: the boxes of one part (a heading: its title and its lead), holding the reviewer's open
    suggestion or the text as it is. POST: each box that changed becomes a suggestion."""
    report = visible_report(request, pk)
    if not suggestions.may_suggest(request.user, report):
        messages.error(request, _("只有正在审核这份报告的人可以提出修改建议。"))
        return redirect(_review_url(report))
    parts = [part for part in text_parts(current_document(report)) if part.ref == ref]
    if not parts:
        raise Http404
    if request.method == "POST":
        made = 0
        try:
            for part in parts:
                name = FIELD_PREFIX + part.field
                if name in request.POST:
                    made += suggestions.suggest(user=request.user, report=report, ref=ref, field=part.field,
                                                after=request.POST[name]) is not None
        except SuggestionRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("修改建议已保存，起草人可以逐条接受或拒绝。") if made
                             else _("文字没有改动，没有保存修改建议。"))
        return redirect(_review_url(report, ref))
    mine = {s.field: s.after for s in report.suggestions.filter(ref=ref, author=request.user,
                                                                 status=Suggestion.Status.OPEN)}
    boxes = [{"part": part, "name": FIELD_PREFIX + part.field, "text": mine.get(part.field, part.text),
              "lines": part.field in suggestions.LINE_FIELDS} for part in parts]
    return render(request, "reports/_suggest_form.html", {"report": report, "ref": ref, "boxes": boxes})


@require_POST
def withdraw(request, pk, suggestion_id):
    report = visible_report(request, pk)
    try:
        suggestions.withdraw(user=request.user, report=report, suggestion_id=suggestion_id)
    except SuggestionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("修改建议已撤回。"))
    return redirect(_review_url(report))


@require_POST
def decide(request, pk, suggestion_id, decision):
    """接受 or 拒绝, from the editor: with htmx the sheet comes back with the text as it now is."""
    report = visible_report(request, pk)
    act = suggestions.accept if decision == "accept" else suggestions.reject
    try:
        suggestion = act(user=request.user, report=report, suggestion_id=suggestion_id)
    except SuggestionRefused as refused:
        if request.htmx:
            return refusal(request, refused, status=409)
        messages.error(request, refused.message)
        return redirect(reverse("reports:edit", args=[report.pk]))
    if request.htmx:
        response = editor.sheet_response(request, report, changed=True)
        if getattr(suggestion, "values_changed", False):
            # A figure's new value stands in the measures panel too: sent along, swapped in by id.
            panel = render_to_string("reports/editor/_measures_panel.html",
                                     {**panel_context(request, report), "can_edit": True, "oob": True}, request=request)
            response.content += panel.encode()
        return response
    messages.success(request, (_("已接受%(label)s的修改建议。") if decision == "accept"
                               else _("已拒绝%(label)s的修改建议。")) % {"label": suggestion.label})
    return redirect(reverse("reports:edit", args=[report.pk]) + f"#{suggestion.ref}")
