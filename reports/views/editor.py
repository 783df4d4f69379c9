"""The editor: the report as it prints, each part editable in place.

With htmx a part's form replaces the part, and every write answers with the whole sheet so
that numbering (一是 → 二是) and measures are always right. Without JavaScript the same
URLs serve full pages and redirect back to the editor.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import trigger_client_event

from reports.access import can_edit
from reports.document.model import Kind, build_document, load_measures
from reports.document.tokens import tokens_to_names
from reports.drafting import editing
from reports.drafting.checks import part_places
from reports.drafting.editing import EditConflict, EditRefused
from reports.drafting.forms import PART_FORMS
from reports.drafting.starting import previous_problems
from reports.evidence.attach import counts as evidence_counts
from reports.models import GENERATED_SECTION_KINDS, Report
from reports.quality.check import check_report
from reports.review import suggestions, workflow
from reports.review.comments import latest_comments
from reports.tracking import deadlines, ledger
from reports.views import carried_panel, evidence_panel, ledger_pages, review
from reports.views.access import editable_report_view, refusal, visible_report
from reports.views.links import part_url
from reports.views.measures_context import panel_context, panel_values

TAIL_KINDS = {Kind.CLOSING, Kind.ATTACHMENTS, Kind.SIGNATURE, Kind.DATE}


def get_part(report, kind, part_id):
    """The part of the report the URL names (editing.find_part), or 404."""
    part = editing.find_part(report, kind, part_id)
    if part is None:
        raise Http404
    return part


# Building the sheet --------------------------------------------------------------------------


# A generated item (reports.tracking.carried) is typed in its panel: it links there.
GENERATED_ANCHORS = {"problem": "#ledger-entry-{}", "plan": "#plan-{}"}


def _part_link(report, ref):
    kind, _sep, number = ref.partition("-")
    if kind in GENERATED_ANCHORS:
        return GENERATED_ANCHORS[kind].format(number), True
    return part_url(report, ref), False


def editor_blocks(report, document, generated_sections=frozenset()):
    """The document cut into blocks (the head, each section, the tail), each paragraph's runs
    grouped by part, with the edit URL of each part and whether it is the part's first group.
    `generated_sections`: the ids of the sections whose items are generated, not typed."""
    blocks = [{"ref": "head", "paragraphs": []}]
    seen = set()
    for paragraph in document.paragraphs:
        if paragraph.kind == Kind.SECTION:
            section_id = int(paragraph.ref.split("-")[1])
            blocks.append({"ref": paragraph.ref, "paragraphs": [], "section_id": section_id,
                           "generated": section_id in generated_sections})
        elif paragraph.kind in TAIL_KINDS and blocks[-1]["ref"] != "tail":
            blocks.append({"ref": "tail", "paragraphs": []})
        groups = []
        for ref, runs in paragraph.groups():
            url, generated = _part_link(report, ref) if ref else ("", False)
            groups.append({"ref": ref, "runs": runs, "first": ref not in seen, "url": url, "generated": generated})
            seen.add(ref)
        blocks[-1]["paragraphs"].append({"kind": paragraph.kind, "groups": groups})
    if blocks[-1]["ref"] != "tail":
        blocks.append({"ref": "tail", "paragraphs": []})
    return blocks, seen


def sheet_context(report, *, editing_ref="", form=None, conflict=None, comments=None, measure_values=None):
    """`comments` (latest_comments) and `measure_values` (panel_values) when the page has them."""
    document = build_document(report, measure_values=measure_values)
    generated = set(report.sections.filter(kind__in=GENERATED_SECTION_KINDS).values_list("id", flat=True))
    blocks, present = editor_blocks(report, document, generated)
    # The reviewer's remarks of the last round stand at the parts they are about.
    notes = {}
    for comment in latest_comments(report) if comments is None else comments:
        if comment.ref:
            notes.setdefault(comment.ref, []).append(comment)
    # The reviewers' open suggestions, each under the paragraph where its part begins.
    suggested = {}
    for shown in suggestions.open_suggestions(report, document):
        suggested.setdefault(shown.suggestion.ref, []).append(shown)
    for block in blocks:
        for paragraph in block["paragraphs"]:
            paragraph["notes"] = [(g["ref"], notes[g["ref"]]) for g in paragraph["groups"] if g["first"] and g["ref"] in notes]
            paragraph["suggested"] = [shown for g in paragraph["groups"] if g["first"] for shown in suggested.pop(g["ref"], [])]
    # A suggestion whose part is gone stands at the end, where the drafter can still reject it.
    gone = [shown for rest in suggested.values() for shown in rest]
    missing_parts = [
        (kind, label)
        for kind, label in (("addressee", _("主送机关")), ("closing", _("结束语")), ("signature", _("落款")))
        if kind not in present
    ]
    return {
        "report": report,
        "document": document,
        "blocks": blocks,
        "missing_parts": [(kind, label, part_url(report, kind)) for kind, label in missing_parts],
        "editing_ref": editing_ref,
        "form": form,
        "conflict": conflict,
        "editing_absent": editing_ref and editing_ref not in present,
        "gone_suggestions": gone,
        "evidence_counts": evidence_counts(report),
    }


def sheet_response(request, report, *, changed=False, status=200, **context):
    response = render(request, "reports/editor/_sheet.html", sheet_context(report, **context), status=status)
    if changed:
        trigger_client_event(response, "reportChanged")
    return response


MISSING_TARGET = EditRefused(_("请求不完整：没有指明要添加到哪一部分。请刷新页面后重试。"), "missing_target")


def conflict_context(error, form_class, report, measures):
    names = {m.id: m.name for m in measures}
    shown = lambda values: {  # noqa: E731 - a one-line view of a part's fields
        form_class.base_fields[f].label if f in form_class.base_fields else f: tokens_to_names(str(v), names)
        for f, v in values.items() if v not in (None, "")
    }
    return {"gone": error.gone, "theirs": shown(error.theirs), "yours": shown(error.yours)}


def after_write(request, report, ref):
    if request.htmx:
        return sheet_response(request, report, changed=True)
    return redirect(reverse("reports:edit", args=[report.pk]) + (f"#{ref}" if ref else ""))


# Pages --------------------------------------------------------------------------------------


@require_safe
def editor(request, pk):
    report = visible_report(request, pk)
    if not can_edit(request.user, report):
        # The reason named (已提交 / 已审定 / 已签收, or not a drafter here), then where the user is.
        reason, _code = editing.edit_refusal(user=request.user, report=report)
        messages.info(request, _("%(reason)s已为您打开只读页面。") % {"reason": reason})
        return redirect("reports:detail", pk=report.pk)
    previous, previous_texts = previous_problems(report)
    carried = carried_panel.panel_context(request, report)
    # Last quarter's problems that are in the ledger already stand there, with their status.
    listed = [item.problem for item in carried["rectification"] + carried["found_now"]]
    previous_texts = [text for text in previous_texts
                      if not any(ledger.same_problem(problem.text, text) for problem in listed)]
    # Read once and shared by the sheet, the measures panel and the check panel.
    comments, measure_values = latest_comments(report), panel_values(report)
    context = sheet_context(report, comments=comments, measure_values=measure_values)
    context.update(panel_context(request, report, measure_values=measure_values, editable=True, document=context["document"]))
    context.update(evidence_panel.panel_context(request, report, editable=True, document=context["document"]))
    context.update(
        quality=check_report(report, context["document"], measure_values=measure_values),
        previous_report=previous,
        previous_problems=previous_texts,
        year_quarters=list(Report.objects.filter(organization_id=report.organization_id, year=report.year,
                                                 quarter__isnull=False).order_by("quarter")) if report.annual else [],
        **carried,
        ledger_typed=ledger_pages.typed_back(request),
        actions=workflow.available_actions(request.user, report),
        **late_submit_context(request, report),
        report_comments=[c for c in comments if not c.ref],
        open_suggestions=sum(len(paragraph["suggested"]) for block in context["blocks"]
                             for paragraph in block["paragraphs"]) + len(context["gone_suggestions"]),
        last_return=report.events.filter(action__in=["return", "reopen", "send_back"]).select_related("actor")
        .order_by("-created_at").first(),
    )
    return render(request, "reports/editor.html", context)


def late_submit_context(request, report):
    """A late first submission asks for its 迟报说明 beside the editor, with what a refused one had."""
    late = deadlines.late_submission(report, workflow.today())
    if late is None:
        return {"late": None}
    kept = review.typed_back(request, report)
    return {"late": late, "late_typed": kept.get(workflow.SUBMIT, "")}


@require_safe
@editable_report_view
def sheet(request: HttpRequest, report: Report) -> HttpResponse:
    """The sheet alone: what "cancel" and a change of measures reload."""
    if not request.htmx:
        return redirect("reports:edit", pk=report.pk)
    return sheet_response(request, report)


@require_http_methods(["GET", "POST"])
@editable_report_view
def part_edit(request: HttpRequest, report: Report, kind: str, part_id: int | None = None) -> HttpResponse:
    if request.method == "POST" and kind in editing.PART_MODELS and editing.find_part(report, kind, part_id) is None:
        return deleted_part_save(request, report, kind, part_id)
    obj = get_part(report, kind, part_id)
    form_class = PART_FORMS[kind]
    measures = list(load_measures(report, []).values())
    ref = editing.part_ref(kind, obj)

    if request.method == "GET":
        form = form_class.for_part(obj, report, measures=measures)
        if request.htmx:
            return render(request, "reports/editor/_part_form.html", {"report": report, "form": form, "ref": ref})
        return part_page(request, report, form, ref)

    form = form_class(request.POST, measures=measures)
    conflict = None
    if form.is_valid():
        try:
            editing.save_part(
                user=request.user, report=report, kind=kind, obj=obj, values=form.values(),
                base_version=form.cleaned_data["base_version"], base_fingerprint=form.cleaned_data["base_fingerprint"],
            )
        except EditConflict as error:
            conflict = conflict_context(error, form_class, report, measures)
            base = editing.conflict_base(report=report, kind=kind, obj=obj)
            if base is not None:
                # The user's text, on the new base (see editing.conflict_base).
                base_version, base_fingerprint = base
                form = form_class(data={**request.POST.dict(), "base_version": base_version,
                                        "base_fingerprint": base_fingerprint}, measures=measures)
                form.is_valid()
        else:
            if form.removed_characters:
                messages.warning(request, _("已删除 %(count)d 个无法打印的控制字符。") % {"count": form.removed_characters})
            return after_write(request, report, ref)
    status = 409 if conflict else 422
    if request.htmx:
        return sheet_response(request, report, editing_ref=ref, form=form, conflict=conflict, status=status)
    return part_page(request, report, form, ref, conflict=conflict, status=status)


def deleted_part_save(request, report, kind, part_id):
    """A save of a part deleted since the form opened: the conflict, with what the user typed,
    as a save that finds the part gone under the lock answers (nothing to overwrite, nothing lost)."""
    form_class = PART_FORMS[kind]
    measures = list(load_measures(report, []).values())
    form = form_class(request.POST, measures=measures)
    typed = form.values() if form.is_valid() else {field: form.data.get(field, "") for field in editing.PART_FIELDS[kind]}
    conflict = conflict_context(EditConflict(theirs={}, yours=typed, gone=True), form_class, report, measures)
    ref = f"{kind}-{part_id}"
    if request.htmx:
        return sheet_response(request, report, editing_ref=ref, form=form, conflict=conflict, status=409)
    return part_page(request, report, form, ref, conflict=conflict, status=409)


def part_page(request, report, form, ref, *, conflict=None, status=200):
    """The form of one part as a page of its own, for browsers without JavaScript."""
    place = part_places(build_document(report)).get(ref, "")
    return render(request, "reports/part_edit.html",
                  {"report": report, "form": form, "ref": ref, "conflict": conflict, "place": place}, status=status)


@require_POST
@editable_report_view
def part_move(request: HttpRequest, report: Report, kind: str, part_id: int) -> HttpResponse:
    obj = get_part(report, kind, part_id)
    step = -1 if request.POST.get("step") == "-1" else 1
    try:
        editing.move_part(user=request.user, report=report, kind=kind, obj=obj, step=step)
    except EditConflict:
        messages.warning(request, _("这部分已被他人删除。"))
    return after_write(request, report, f"{kind}-{part_id}")


@require_POST
@editable_report_view
def part_delete(request: HttpRequest, report: Report, kind: str, part_id: int) -> HttpResponse:
    obj = get_part(report, kind, part_id)
    try:
        version = int(request.POST.get("base_version", ""))
    except ValueError:
        version = -1  # no version sent: delete only if the part is exactly as fingerprinted
    try:
        editing.delete_part(user=request.user, report=report, kind=kind, obj=obj, base_version=version,
                            base_fingerprint=request.POST.get("base_fingerprint", ""))
    except EditConflict:
        messages.error(request, _("在您打开后，其他人修改了这部分内容，因此没有删除。请查看最新内容后再决定。"))
        if request.htmx:
            return sheet_response(request, report, changed=True)
    return after_write(request, report, "")


@require_POST
@editable_report_view
def part_add(request: HttpRequest, report: Report, kind: str) -> HttpResponse:
    """Add a section, heading or item; with htmx the new part opens ready for typing."""

    def part(model_kind, field):
        value = request.POST.get(field) or request.GET.get(field)
        return get_part(report, model_kind, int(value)) if value and value.isdigit() else None

    try:
        if kind == "section":
            new = editing.add_section(user=request.user, report=report, after=part("section", "after"))
        elif kind == "heading":
            section = part("section", "section")
            if section is None:
                return refusal(request, MISSING_TARGET, status=400)
            new = editing.add_heading(user=request.user, report=report, section=section, after=part("heading", "after"))
        elif kind == "item":
            section, heading = part("section", "section"), part("heading", "heading")
            if section is None:
                return refusal(request, MISSING_TARGET, status=400)
            new = editing.add_item(user=request.user, report=report, section=section, heading=heading,
                                   after=part("item", "after"))
        else:
            raise Http404
    except EditConflict:
        messages.warning(request, _("要添加到的部分已被他人删除。"))
        return after_write(request, report, "")
    except editing.WrongPlace as error:
        return refusal(request, error, status=400)
    ref = editing.part_ref(kind, new)
    if request.htmx:
        measures = list(load_measures(report, []).values())
        form = PART_FORMS[kind].for_part(new, report, measures=measures)
        response = sheet_response(request, report, editing_ref=ref, form=form)
        trigger_client_event(response, "reportChanged")
        return response
    return redirect(part_url(report, ref))


@require_POST
@editable_report_view
def items_layout(request: HttpRequest, report: Report) -> HttpResponse:
    layout = request.POST.get("items_layout")
    if layout not in Report.ItemsLayout.values:
        return refusal(request, EditRefused(_("未知的排版方式。"), "bad_layout"), status=400)
    editing.set_items_layout(user=request.user, report=report, layout=layout)
    return after_write(request, report, "")


@require_safe
def check_panel(request, pk):
    report = visible_report(request, pk)
    template = "reports/editor/_check_panel.html" if request.htmx else "reports/check.html"
    return render(request, template, {"report": report, "quality": check_report(report),
                                      "can_edit": can_edit(request.user, report)})
