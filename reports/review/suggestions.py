"""Suggestions: a reviewer's change to a part, proposed and not applied. The drafter accepts or
rejects each one in the editor; accepting writes through the same optimistic-locking save as the
drafter's own edit (reports.drafting.editing), and both are in the trail.

A suggestion keeps the part's text as it printed when it was made (`before`). It is applied only
while the part still prints exactly that and no other suggestion is open on it; otherwise it is
a conflict, shown with the part as it now is, and the drafter decides by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.access import can_comment
from reports.document.diffing import diff_text
from reports.document.model import build_document, load_measures
from reports.document.parts import LINE_FIELDS, TextPart, parts_by_key
from reports.document.text import clean_text
from reports.document.tokens import token_texts
from reports.drafting import editing
from reports.drafting.editing import EditRefused
from reports.errors import Refusal
from reports.labels import person_name
from reports.models import Comment, Heading, Item, MeasureValue, Report, Suggestion
from reports.review.comments import current_document
from reports.review.printed import rewrite

MAX_SUGGESTION = 5000
READY, CHANGED, SEVERAL = "ready", "changed", "several"
STATE_NOTES = {
    CHANGED: gettext_lazy("这一处在建议提出后已被修改，不能直接接受。请对照后手工修改，或拒绝。"),
    SEVERAL: gettext_lazy("这一处有多条修改建议，请逐条对照：接受其中一条后，其余的需要手工处理。"),
}


class SuggestionRefused(Refusal):
    """Not done: the user may not suggest or decide now, the text is unchanged or too long, or
    the part is gone or changed (a conflict, with the reason)."""


def _kind_and_id(ref: str) -> tuple[str, int | None]:
    kind, _sep, number = ref.partition("-")
    if kind in editing.REPORT_PARTS:
        return kind, None
    return kind, int(number) if number.isdigit() else None


def suggestable_ref(ref: str) -> bool:
    return bool(ref) and _kind_and_id(ref)[0] in editing.PART_FIELDS


def may_suggest(user: AbstractBaseUser, report: Report) -> bool:
    """Whoever may comment now (the review step's holders, the overseers before 签收) may suggest."""
    return can_comment(user, report)


def _clean(after: str, field: str) -> str:
    after, _removed = clean_text(after or "")
    after = after.strip() if field in LINE_FIELDS else "".join(line.strip() for line in after.splitlines())
    if len(after) > MAX_SUGGESTION:
        raise SuggestionRefused(_("修改建议不能超过 %(limit)d 个字符。") % {"limit": MAX_SUGGESTION}, "too_long")
    return after


def _editable_part(ref: str, field: str, parts: dict) -> TextPart:
    part = parts.get((ref, field))
    if part is None or not suggestable_ref(ref):
        # A generated part (the ledger's problems, the plans) is typed in its panel, not here.
        raise SuggestionRefused(_("这一处不能在线修改：它已不在报告中，或由问题整改台账、工作打算清单生成。"), "no_part")
    return part


@transaction.atomic
def suggest(*, user: AbstractBaseUser, report: Report, ref: str, field: str, after: str) -> Suggestion | None:
    """Propose `after` for one part of the version under review. The same reviewer's open
    suggestion on the same part is replaced, not doubled. None when `after` is the text as it is
    (and the reviewer's earlier suggestion there, if any, is withdrawn)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if not may_suggest(user, report):
        raise SuggestionRefused(_("只有正在审核这份报告的人可以提出修改建议。"), "not_reviewer")
    part = _editable_part(ref, field, parts_by_key(current_document(report)))
    after = _clean(after, field)
    mine = Suggestion.objects.filter(report=report, ref=ref, field=field, author=user, status=Suggestion.Status.OPEN)
    existing = mine.first()
    if after == part.text:
        if existing is not None:
            mine.update(status=Suggestion.Status.WITHDRAWN, decided_by=user, decided_at=timezone.now())
        return None
    if existing is not None:
        existing.after, existing.before, existing.label = after, part.text, part.label
        existing.save(update_fields=["after", "before", "label"])
        return existing
    return Suggestion.objects.create(
        report=report, submission=report.submissions.order_by("-number").first(), ref=ref, field=field,
        label=part.label, before=part.text, after=after, author=user, author_name=person_name(user))


@transaction.atomic
def withdraw(*, user: AbstractBaseUser, report: Report, suggestion_id: int) -> None:
    mine = Suggestion.objects.filter(pk=suggestion_id, report=report, author=user, status=Suggestion.Status.OPEN)
    if not mine.exists():  # asked first: a refused request writes nothing, not even an empty UPDATE
        raise SuggestionRefused(_("这条修改建议已处理或不是您提出的。"), "not_open")
    mine.update(status=Suggestion.Status.WITHDRAWN, decided_by=user, decided_at=timezone.now())


@dataclass
class Shown:
    """An open suggestion as a page shows it: its change against what it was made on, and whether
    the part still prints that."""

    suggestion: Suggestion
    segments: list  # [(op, text)] from `before` to `after`
    state: str  # READY, CHANGED or SEVERAL
    current: str  # the part as it now prints ("" when it is gone)

    @property
    def note(self) -> str:
        return str(STATE_NOTES.get(self.state, ""))


def open_suggestions(report: Report, document=None) -> list[Shown]:
    """The report's open suggestions in print order, each against the report as it now is
    (`document`: build_document(report), when the page has it)."""
    suggestions = list(report.suggestions.filter(status=Suggestion.Status.OPEN).select_related("author"))
    if not suggestions:
        return []
    parts = parts_by_key(document if document is not None else build_document(report))
    order = {key: index for index, key in enumerate(parts)}
    per_part = {}
    for suggestion in suggestions:
        per_part[(suggestion.ref, suggestion.field)] = per_part.get((suggestion.ref, suggestion.field), 0) + 1
    shown = []
    for suggestion in suggestions:
        key = (suggestion.ref, suggestion.field)
        part = parts.get(key)
        current = part.text if part else ""
        if part is None or current != suggestion.before:
            state = CHANGED
        elif per_part[key] > 1:
            state = SEVERAL
        else:
            state = READY
        shown.append(Shown(suggestion, diff_text(suggestion.before, suggestion.after), state, current))
    shown.sort(key=lambda item: (order.get((item.suggestion.ref, item.suggestion.field), len(order)),
                                 item.suggestion.created_at))
    return shown


def _check_decider(user, report):
    refused = editing.edit_refusal(user=user, report=report)
    if refused is not None:
        raise SuggestionRefused(*refused)


def _open(report, suggestion_id) -> Suggestion:
    suggestion = Suggestion.objects.filter(pk=suggestion_id, report=report).select_related("author").first()
    if suggestion is None or suggestion.status != Suggestion.Status.OPEN:
        raise SuggestionRefused(_("这条修改建议已处理，页面可能已过时。请刷新页面。"), "not_open")
    return suggestion


def _signature_date(text: str) -> date | None:
    import re

    if not text:
        return None
    match = re.fullmatch(r"\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*", text) or re.fullmatch(
        r"\s*(\d{4})[-./](\d{1,2})[-./](\d{1,2})\s*", text)
    try:
        return date(*map(int, match.groups())) if match else None
    except ValueError:
        return None


def _new_values(report, kind, part, field, after, measures, settable):
    """The part's fields with `after` written into `field`; and the measures given new values."""
    values = editing.part_values(part, kind)
    if field == "signature_date":
        parsed = _signature_date(after)
        if after and parsed is None:
            raise SuggestionRefused(_("成文日期应写成“2023年4月10日”，这条建议不能直接接受。"), "bad_date")
        values[field] = parsed
        return values, {}
    if field in editing.token_fields(kind):
        rewritten = rewrite(values[field] or "", measures, after, lines=field in LINE_FIELDS, settable=settable)
        values[field] = rewritten.text
        return values, rewritten.values
    if field == "title" and kind in ("section", "heading") and not values[field].rstrip().endswith(("。", ".")):
        # The "。" of a heading followed by its text is the printer's (heading_title), not the title's.
        after = after.rstrip("。")
    values[field] = after
    return values, {}


@transaction.atomic
def accept(*, user: AbstractBaseUser, report: Report, suggestion_id: int) -> Suggestion:
    """Apply a suggestion through the drafter's own save, under the report's lock."""
    locked = Report.objects.select_for_update().get(pk=report.pk)
    _check_decider(user, locked)
    suggestion = _open(locked, suggestion_id)
    shown = {item.suggestion.pk: item for item in open_suggestions(locked)}[suggestion.pk]
    if shown.state != READY:
        raise SuggestionRefused(shown.note, shown.state)
    kind, part_id = _kind_and_id(suggestion.ref)
    part = editing.find_part(locked, kind, part_id)
    if part is None:
        raise SuggestionRefused(str(STATE_NOTES[CHANGED]), CHANGED)
    reason = _("接受%(name)s的修改建议") % {"name": suggestion.author_name or person_name(suggestion.author)}
    base = {"base_version": locked.version, "base_fingerprint": editing.fingerprint(editing.part_values(part, kind))}
    if kind == "item" and not suggestion.after:
        editing.delete_part(user=user, report=report, kind=kind, obj=part, reason=reason, **base)
    else:
        measures = _measures(locked)
        settable = set(MeasureValue.objects.filter(report=locked).values_list("measure_id", flat=True))
        values, new_values = _new_values(locked, kind, part, suggestion.field, suggestion.after, measures, settable)
        try:
            editing.save_part(user=user, report=report, kind=kind, obj=part, values=values, reason=reason, **base)
        except EditRefused as refused:
            raise SuggestionRefused(refused.message, refused.code) from refused
        for measure_value in MeasureValue.objects.filter(report=locked, measure_id__in=new_values).select_related("measure"):
            try:
                editing.set_measure_value(user=user, report=report, measure_value=measure_value,
                                          value=new_values[measure_value.measure_id], reason=reason)
            except ValidationError as refused:  # 3.5 of a count: the whole acceptance is undone
                raise SuggestionRefused(" ".join(refused.messages), "bad_value") from refused
        suggestion.values_changed = bool(new_values)  # the page shows the measures panel anew
    _decide(suggestion, user, Suggestion.Status.ACCEPTED)
    return suggestion


def _measures(report):
    sections = list(report.sections.all())
    headings = list(Heading.objects.filter(section__report=report))
    items = list(Item.objects.filter(section__report=report))
    return load_measures(report, token_texts(report, sections, headings, items))


@transaction.atomic
def reject(*, user: AbstractBaseUser, report: Report, suggestion_id: int) -> Suggestion:
    locked = Report.objects.select_for_update().get(pk=report.pk)
    _check_decider(user, locked)
    suggestion = _open(locked, suggestion_id)
    _decide(suggestion, user, Suggestion.Status.REJECTED)
    return suggestion


def _decide(suggestion, user, status):
    suggestion.status, suggestion.decided_by, suggestion.decided_at = status, user, timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def import_reading(report: Report, reading, user: AbstractBaseUser | None = None) -> tuple[int, int]:
    """A leader's Word file, as read (reports.word.importing.review: the reading or its JSON, the
    shape `import_review --dry-run` prints), into open suggestions and comments of the latest
    round. A part no longer in the text is skipped. Returns (suggestions, comments) made."""
    data = reading.as_json() if hasattr(reading, "as_json") else reading
    by_label = {part.label: part for part in parts_by_key(current_document(report)).values()}
    submission = report.submissions.order_by("-number").first()
    uploader = person_name(user) if user else ""
    made = []
    for item in data["suggestions"]:
        part = by_label.get(item["part"])
        if part is None:
            continue
        made.append(Suggestion(report=report, submission=submission, ref=part.ref, field=part.field, label=part.label,
                               before=item["before"], after=item["after"], author=user,
                               author_name=item["author"] or uploader, source=Suggestion.Source.WORD,
                               tracked=item["tracked"]))
    Suggestion.objects.bulk_create(made)
    comments = []
    for item in data["comments"]:
        part = by_label.get(item["part"])
        comments.append(Comment(report=report, submission=submission, ref=part.ref if part else "",
                                place=item["part"], author=user, author_name=item["author"] or uploader,
                                text=item["text"]))
    Comment.objects.bulk_create(comments)
    return len(made), len(comments)
