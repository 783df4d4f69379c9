"""Importing a Word file or pasted text: upload → preview → create the draft.

Nothing is created until the drafter confirms. Between the steps the input is kept in the
session (stored in the database: the app servers share nothing else) as the blocks read from
it, and parsed again at each step, so the draft is exactly what the preview showed.
Plain forms and redirects throughout: it all works without JavaScript.
"""

import secrets
import time

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from reports.access import drafter_organizations
from reports.document.numbering import section_ordinal
from reports.drafting.starting import ReportExists, default_quarter, existing_report, standard_title
from reports.models import Section
from reports.tracking.deadlines import PeriodClosed
from reports.views.uploads import limit_uploads, too_large
from reports.word.importing import MAX_UPLOAD_BYTES, Block, ImportRefused, create_report, parse_blocks, read_blocks
from reports.word.importing.errors import NOTHING_FOUND, TOO_LARGE
from reports.word.importing.forms import ImportSourceForm, ImportTargetForm
from reports.word.importing.frame import NOT_IMPORTED_KINDS
from reports.word.importing.preview import preview_document
from reports.word.importing.reader_text import read_text

SESSION_KEY = "jibao_imports"
KEEP = 3  # imports remembered per session: a few tabs, not a history


def _no_drafter(request):
    messages.error(request, _("您不是任何单位的起草人，不能导入报告。"))
    return redirect("reports:list")


# The upload limit must be in place before the CSRF middleware reads the body (reports/views/uploads.py).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def upload(request):
    limit_uploads(request, MAX_UPLOAD_BYTES)
    if request.method == "POST":
        try:
            request.POST  # noqa: B018 — parse now: a body over Django's limits raises here
        except RequestDataTooBig:
            refusal = _("粘贴的文字太长，不能导入。请分几次粘贴，或上传 Word 文件。")
            return _upload_page(request, ImportSourceForm(), refusal=refusal, status=413)
    return _upload(request)


@csrf_protect
def _upload(request):
    if not drafter_organizations(request.user).exists():
        return _no_drafter(request)
    if request.method != "POST":
        return _upload_page(request, ImportSourceForm())
    if too_large(request):
        return _upload_page(request, ImportSourceForm(), refusal=TOO_LARGE, status=413)
    form = ImportSourceForm(request.POST, request.FILES)
    if form.is_valid():
        upload_file, text = form.cleaned_data["file"], form.cleaned_data["text"]
        try:
            if upload_file:
                blocks, name = read_blocks(upload_file.name, upload_file.read()), upload_file.name
            else:
                blocks, name = read_text(text), ""
            if not blocks:
                raise ImportRefused(NOTHING_FOUND, "empty")
            parse_blocks(blocks)  # refuses here what the preview could not show (too many parts)
        except ImportRefused as refused:
            form.add_error("file" if upload_file else "text", refused.message)
        else:
            return redirect("reports:import_preview", key=_remember(request, blocks, name))
    return _upload_page(request, form, status=422)


def _upload_page(request, form, *, refusal=None, status=200):
    return render(request, "reports/import_upload.html", {"form": form, "refusal": refusal}, status=status)


@require_http_methods(["GET", "POST"])
def preview(request, key):
    organizations = drafter_organizations(request.user)
    if not organizations.exists():
        return _no_drafter(request)
    stored = _recall(request, key)
    if stored is None:
        messages.warning(request, _("要导入的内容已不在（可能已经建立，或已过期），请重新选择文件或粘贴文字。"))
        return redirect("reports:import")
    try:
        parsed = parse_blocks([Block.from_json(block) for block in stored["blocks"]])
    except ImportRefused as refused:  # kept from before a limit was lowered
        _forget(request, key)
        messages.error(request, refused.message)
        return redirect("reports:import")
    year, quarter = parsed.period() or default_quarter(timezone.localdate())
    form = ImportTargetForm(request.POST or None, organizations=organizations,
                            initial={"organization": organizations.first(), "year": year, "quarter": quarter})
    existing, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            target = form.cleaned_data
            try:
                report = create_report(parsed, organization=target["organization"], year=target["year"],
                                       quarter=target["quarter"], user=request.user)
            except ReportExists as exists:
                existing, status = exists.report, 409
            except PeriodClosed as closed:
                form.add_error("quarter", closed.message)
                status = 422
            else:
                _forget(request, key)
                messages.success(request, _("已导入为草稿：%(title)s") % {"title": report.title})
                return redirect("reports:edit", pk=report.pk)
        else:
            status = 422
    else:
        # Say before the click that the suggested quarter is taken.
        existing = existing_report(organization=organizations.first(), year=year, quarter=quarter)
    title = parsed.title or standard_title(organizations.first(), year, quarter)
    return render(request, "reports/import_preview.html", {
        "parsed": parsed,
        "document": preview_document(parsed, title=title),
        "title_found": bool(parsed.title),
        "sections": [_section_summary(index, section) for index, section in enumerate(parsed.sections, 1)],
        "not_imported": [(NOT_IMPORTED_KINDS[found["kind"]], found["text"]) for found in parsed.not_imported],
        "form": form,
        "existing": existing,
        "name": stored.get("name", ""),
        "key": key,
    }, status=status)


def _section_summary(index, section):
    return {
        "ordinal": section_ordinal(index),
        "title": section.title,
        "kind": str(Section.Kind(section.kind).label),
        "headings": len(section.headings),
        "items": len(section.items) + sum(len(heading.items) for heading in section.headings),
    }


def _remember(request, blocks, name):
    imports = request.session.get(SESSION_KEY, {})
    key = secrets.token_urlsafe(8)
    imports[key] = {"name": name, "at": time.time(), "blocks": [block.to_json() for block in blocks]}
    newest = sorted(imports.items(), key=lambda entry: entry[1]["at"], reverse=True)[:KEEP]
    request.session[SESSION_KEY] = dict(newest)
    return key


def _recall(request, key):
    return request.session.get(SESSION_KEY, {}).get(key)


def _forget(request, key):
    imports = request.session.get(SESSION_KEY, {})
    imports.pop(key, None)
    request.session[SESSION_KEY] = imports
