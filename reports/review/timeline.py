"""A report's timeline: its workflow events and every recorded edit, newest first.

Edits come from django-simple-history's records of the report and its parts; each change is
shown against the previous record of the same part, so the reader sees what was changed.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from reports.document.diffing import diff_text
from reports.document.tokens import TOKEN_RE, format_value, tokens_to_names
from reports.drafting.starting import STARTED
from reports.labels import person_name
from reports.models import Evidence, Heading, Item, Measure, MeasureValue, Report, Section, Suggestion

LIMIT = 300
# Lazy: these tables are built once at import, the reader's language is known only per request.
HISTORY_TYPES = {
    "+": pgettext_lazy("timeline", "新增"), "~": pgettext_lazy("timeline", "修改"), "-": pgettext_lazy("timeline", "删除"),
}


@dataclass
class Entry:
    when: datetime
    who: str
    what: str  # "提交", "修改条目"…
    detail: str = ""  # the event's comment, or the part's text
    segments: list = field(default_factory=list)  # [(op, text)] of a change
    kind: str = "edit"  # "event" or "edit"


def _name(user):
    return person_name(user) if user else _("系统")


def _shown(text, names):
    """A text as the editor's form shows it: a figure's token as ｛名称｝ (□ for a measure that no
    longer exists), so that "包括｛重点提案｝提案" reads as the drafter wrote it."""
    return TOKEN_RE.sub("□", tokens_to_names(text, names))


def _text(kind, record, names):
    if kind == "item":
        return _shown(record.text, names)
    if kind == "measure":
        return format_value(record.value)
    if kind == "evidence":
        return record.title
    if kind == "report":
        texts = (record.title, _shown(record.addressee, names), _shown(record.opening, names), record.closing,
                 record.signature_name)
        return "｜".join(v for v in texts if v)
    return "｜".join(v for v in (record.title, _shown(record.lead, names)) if v)


PART_LABELS = {
    "report": pgettext_lazy("timeline", "报告信息"), "section": pgettext_lazy("timeline", "部分"),
    "heading": pgettext_lazy("timeline", "小标题"), "item": pgettext_lazy("timeline", "条目"),
    "measure": pgettext_lazy("timeline", "统计数"), "evidence": pgettext_lazy("timeline", "佐证材料"),
}


def _edits(report):
    section_ids = list(Section.history.filter(report_id=report.id).values_list("id", flat=True).distinct())
    sources = [
        ("report", Report.history.filter(id=report.id)),
        ("section", Section.history.filter(report_id=report.id)),
        ("heading", Heading.history.filter(section_id__in=section_ids)),
        ("item", Item.history.filter(section_id__in=section_ids)),
        ("measure", MeasureValue.history.filter(report_id=report.id).select_related("measure")),
        ("evidence", Evidence.history.filter(report_id=report.id)),
    ]
    # Every measure the report has had in its panel: the ones its texts can name.
    names = dict(
        Measure.objects.filter(id__in=MeasureValue.history.filter(report_id=report.id).values("measure_id"))
        .values_list("id", "name")
    )
    entries = []
    for kind, records in sources:
        previous = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            text = _text(kind, record, names)
            before = previous.get(record.id)
            previous[record.id] = text
            if record.history_type == "~" and before == text:
                continue  # a save that changed nothing the reader sees (a move, a version bump)
            if record.history_type == "+" and record.history_change_reason == STARTED:
                if kind != "report":
                    continue  # made with the report: its start is one entry
                entries.append(Entry(when=record.history_date, who=_name(record.history_user),
                                     what=pgettext("timeline", "开始起草"), detail=text))
                continue
            label = PART_LABELS[kind]
            if kind == "measure":
                label = f"{label}“{record.measure.name}”"
            # Chinese runs the change into the part (修改条目); English needs a space (Changed item).
            what = pgettext("timeline: a change, then the part changed", "%(change)s%(part)s") % {
                "change": HISTORY_TYPES[record.history_type], "part": label,
            }
            if record.history_change_reason:  # e.g. 接受李建国的修改建议
                what = pgettext("timeline: a change and why", "%(what)s（%(reason)s）") % {
                    "what": what, "reason": record.history_change_reason}
            entry = Entry(when=record.history_date, who=_name(record.history_user), what=what)
            if record.history_type == "~" and before is not None:
                entry.segments = diff_text(before, text)
            else:
                entry.detail = text
            entries.append(entry)
    return entries


def _suggestions(report):
    """Each suggestion where it was made, and where it was rejected or withdrawn (an accepted one
    is the edit it made, which names it)."""
    entries = []
    for suggestion in report.suggestions.select_related("decided_by"):
        entries.append(Entry(when=suggestion.created_at, who=suggestion.author_name, what=_("提出修改建议：%(label)s") % {
            "label": suggestion.label}, segments=diff_text(suggestion.before, suggestion.after)))
        if suggestion.status in (Suggestion.Status.REJECTED, Suggestion.Status.WITHDRAWN) and suggestion.decided_at:
            rejected = suggestion.status == Suggestion.Status.REJECTED
            what = _("拒绝修改建议：%(label)s") if rejected else _("撤回修改建议：%(label)s")
            entries.append(Entry(when=suggestion.decided_at, who=_name(suggestion.decided_by),
                                 what=what % {"label": suggestion.label}, detail=suggestion.after))
    return entries


def timeline_entries(report: Report, limit: int = LIMIT) -> list[Entry]:
    events = [
        Entry(when=event.created_at, who=event.who, what=event.what, detail=event.comment, kind="event")
        for event in report.events.select_related("actor", "on_behalf_of")
    ]
    entries = sorted(events + _edits(report) + _suggestions(report), key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
