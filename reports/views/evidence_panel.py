"""佐证材料 pages: the panel that lists a report's evidence by claim (in the editor, where files are
dropped, renamed and deleted; on the review and report pages, read only, with what is missing and
what is reused), the upload, and the file itself, served only to who may see the report.

The browser uploads one file per request (static/js/evidence.js), so that each has its own progress
bar and its own refusal; a form without JavaScript may send several at once."""

import json
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import trigger_client_event

from reports.access import can_edit, is_drafter
from reports.drafting import editing
from reports.drafting.editing import EditRefused
from reports.errors import Refusal
from reports.evidence import attach, claims
from reports.evidence.kinds import ALLOWED, KINDS, max_file_size, too_large_file
from reports.evidence.store import open_file, stored_exists
from reports.models import Evidence, Report
from reports.views.access import editable_report_view, visible_report, wants_json
from reports.views.uploads import limit_uploads, too_large

UPLOAD_FIELD = "files"
KIND_LABELS = {"jpeg": "JPEG", "png": "PNG", "pdf": "PDF", "docx": "Word", "xlsx": "Excel", "ofd": "OFD",
               "text": "TXT"}


def panel_context(request: HttpRequest, report: Report, *, editable: bool, document=None) -> dict:
    """What the evidence panel shows this reader: the groups, the claims without evidence, and the
    files used elsewhere; other bodies' reports among those only for a reader checking the report
    who is not its drafter, named only where they may see them."""
    report_claims = claims.report_claims(report, document)
    evidence = attach.report_evidence(report)
    checking = not editable
    other_bodies = checking and not is_drafter(request.user, report.organization_id)
    reuses = attach.reuses(report, request.user, other_bodies=other_bodies)
    missing = attach.missing(report, report_claims)
    for item in evidence:
        item.reuses = reuses.get(item.pk, [])
        item.kind_label = KIND_LABELS.get(item.file.kind, item.file.kind.upper())
    return {
        "report": report,
        "evidence_editable": editable,
        "evidence_groups": claims.grouped(report, evidence, report_claims),
        "evidence_claims": report_claims,
        "evidence_count": len(evidence),
        # The editor's chips ("佐证 3") on the sheet, the measures and the ledger entries follow these.
        "evidence_counts_json": json.dumps(attach.counts(report)),
        "evidence_size": attach.report_size(report),
        "evidence_limit": attach.max_report_size(),
        "evidence_reused": sum(1 for item in evidence if item.reuses),
        "evidence_missing": missing,
        "evidence_missing_measures": [m for m in missing if m.claim.kind == "measure"],
        "evidence_missing_problems": [m for m in missing if m.claim.kind == "problem"],
        "evidence_max_file": settings.JIBAO_EVIDENCE_MAX_FILE_MB,
        "evidence_allowed": ALLOWED,
    }


def _panel(request, report):
    editable = can_edit(request.user, report)
    return render(request, "reports/_evidence_panel.html", panel_context(request, report, editable=editable))


@require_safe
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel(request, visible_report(request, pk))


# The upload limit must be in place before the CSRF middleware reads the body (reports/views/uploads.py).
@csrf_exempt
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    limit_uploads(request, max_file_size())
    return _upload(request, pk)


@csrf_protect
@editable_report_view
def _upload(request: HttpRequest, report: Report) -> HttpResponse:
    target = request.POST.get("target", "")
    title = request.POST.get("title", "")
    files = request.FILES.getlist(UPLOAD_FIELD)
    oversized = [str(too_large_file(name).message) for name in too_large(request)]
    if not files and not oversized:
        message = _("没有收到文件。请选择文件，或把文件拖到报告上。")
        if wants_json(request):
            return JsonResponse({"ok": False, "message": message}, status=400)
        messages.error(request, message)
        return redirect(_back(report))
    refused, taken = oversized, []
    for upload in files:
        try:
            attach.attach(report, target=target, name=upload.name, data=upload.read(), actor=request.user,
                          title=title if len(files) == 1 else "")
            taken.append(upload.name)
        except EditRefused:
            raise
        except Refusal as refusal:
            refused.append(str(refusal.message))
    if wants_json(request):
        if refused:
            return JsonResponse({"ok": False, "message": " ".join(refused)}, status=422)
        return JsonResponse({"ok": True})
    if taken:
        messages.success(request, _("已上传 %(count)d 个文件。") % {"count": len(taken)})
    for message in refused:
        messages.error(request, message)
    return redirect(_back(report))


def _back(report):
    return reverse("reports:edit", args=[report.pk]) + "#evidence-panel"


def _evidence(report, evidence_id):
    return get_object_or_404(Evidence.objects.select_related("file"), pk=evidence_id, report=report)


def _gone(request, report):
    """A rename or delete of a file a colleague deleted meanwhile: the panel as it is now, saying so."""
    message = _("这个文件已被删除（可能是同事刚删的）。下面是现在的佐证材料。")
    if not request.htmx:
        messages.info(request, message)
        return redirect(_back(report))
    context = panel_context(request, report, editable=True)
    context["panel_message"] = message
    return render(request, "reports/_evidence_panel.html", context)


def evidence_write(view):
    """A write on one of the report's files, by its drafter while the report may be edited; a file
    a colleague deleted meanwhile is answered with the panel as it is now (_gone)."""

    @require_POST
    @editable_report_view
    @wraps(view)
    def wrapped(request: HttpRequest, report: Report, evidence_id: int) -> HttpResponse:
        evidence = report.evidence.filter(pk=evidence_id).first()
        if evidence is None:
            return _gone(request, report)
        return view(request, report, evidence)

    return wrapped


def _sheet_follows(response, report, *, changed=None):
    """The sheet prints the 附件 list when the report lists its evidence: it reloads with a change."""
    if report.lists_attachments if changed is None else changed:
        trigger_client_event(response, "measuresChanged")
    return response


@evidence_write
def rename(request: HttpRequest, report: Report, evidence: Evidence) -> HttpResponse:
    try:
        attach.rename(evidence, request.POST.get("title", ""), actor=request.user)
    except EditRefused:
        raise
    except Refusal as refusal:
        if not request.htmx:
            messages.error(request, refusal.message)
            return redirect(_back(report))
        context = panel_context(request, report, editable=True)
        context.update(rename_error=refusal.message, rename_id=evidence.pk, rename_typed=request.POST.get("title", ""))
        return render(request, "reports/_evidence_panel.html", context, status=422)
    if request.htmx:
        return _sheet_follows(_panel(request, report), report)
    return redirect(_back(report))


@evidence_write
def delete(request: HttpRequest, report: Report, evidence: Evidence) -> HttpResponse:
    attach.remove(evidence, actor=request.user)
    if request.htmx:
        return _sheet_follows(_panel(request, report), report)
    messages.success(request, _("已删除“%(title)s”。") % {"title": evidence.title})
    return redirect(_back(report))


@require_POST
@editable_report_view
def listing(request: HttpRequest, report: Report) -> HttpResponse:
    """Whether the Word file lists the evidence as 附件 after the body."""
    was_listing = report.lists_attachments
    editing.set_lists_attachments(user=request.user, report=report, on=request.POST.get("on") == "1")
    if request.htmx:
        return _sheet_follows(_panel(request, report), report, changed=was_listing != report.lists_attachments)
    return redirect(_back(report))


@require_safe
def file(request: HttpRequest, pk: int, evidence_id: int, thumbnail: bool = False) -> FileResponse:
    """The file, to a reader of the report only: images and PDF shown in the browser, the rest
    downloaded; never sniffed into something else (nosniff), and kept out of shared caches."""
    report = visible_report(request, pk)
    evidence = _evidence(report, evidence_id)
    stored = evidence.file
    if thumbnail and not stored.thumbnail_name:
        raise Http404
    kind = KINDS[stored.kind]
    if not stored_exists(stored, thumbnail=thumbnail):
        return HttpResponse(_("文件暂时无法读取（存储中找不到），请稍后再试或联系管理员。"), status=503,
                            content_type="text/plain; charset=utf-8")
    if thumbnail:
        response = FileResponse(open_file(stored, thumbnail=True), content_type="image/png")
    else:
        response = FileResponse(open_file(stored), content_type=kind.content_type, as_attachment=not kind.inline,
                                filename=f"{evidence.title}.{kind.extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    # The bytes of a hash never change: the browser may keep them, but no proxy in between.
    return response


@require_safe
def thumbnail(request: HttpRequest, pk: int, evidence_id: int) -> FileResponse:
    return file(request, pk, evidence_id, thumbnail=True)
