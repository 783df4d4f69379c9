"""Editing a report, one part at a time: the rules every write obeys.

Each function runs in one transaction that locks the report row, re-checks that the user
may edit it, refuses a save based on text someone else has changed since (optimistic
locking), writes, and bumps the report's version. Views only translate the named errors
into pages.
"""

import hashlib
import json
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.access import EDITABLE_STATUSES, can_edit, is_drafter
from reports.document.numbering import MAX_REPORT_PARTS
from reports.document.tokens import TOKEN_FIELDS, referenced_ids, token_texts
from reports.drafting import ordering
from reports.errors import Refusal
from reports.labels import report_words
from reports.models import GENERATED_SECTION_KINDS, Heading, Item, Measure, MeasureValue, Report, Section
from reports.tracking.deadlines import deadline_for

# What each kind of part holds: the fields a user edits in one form.
PART_FIELDS = {
    "title": ("title",),
    "addressee": ("addressee",),
    "opening": ("opening",),
    "closing": ("closing",),
    "signature": ("signature_name", "signature_date", "signature_layout"),
    "section": ("title", "kind", "lead"),
    "heading": ("title", "lead"),
    "item": ("text",),
}
REPORT_PARTS = ("title", "addressee", "opening", "closing", "signature")
PART_MODELS = {"section": Section, "heading": Heading, "item": Item}
Part = Report | Section | Heading | Item  # a report is the part for its own fields (title, opening…)


def token_fields(kind: str) -> tuple[str, ...]:
    """The fields of a part in which a measure token may stand (document.tokens.TOKEN_FIELDS)."""
    may_hold = TOKEN_FIELDS["report" if kind in REPORT_PARTS else kind]
    return tuple(field for field in PART_FIELDS[kind] if field in may_hold)


class EditRefused(Refusal):
    """The user may not make this change (wrong body or role, or the report is not editable)."""


class WrongPlace(EditRefused):
    """A new part asked to go after (or under) a part that is not in the list it goes into
    (another heading's item, another report's section): a stale or crafted request."""

    code = "wrong_place"


WRONG_PLACE = gettext_lazy("要插入的位置不在这一部分中，页面可能已过时。请刷新页面后重试。")
# A generated part is printed or not from its panel; its items would vanish into, or appear out of, another kind.
GENERATED_KIND = gettext_lazy("“上季度问题整改情况”“上季度工作打算落实情况”由右侧面板列入或不再列入，不能与其他类别互换。")
# A generated part prints the ledger or the plans checklist: what it says is typed there.
GENERATED_PLACE = gettext_lazy("这一部分的内容由右侧的问题整改台账或工作打算清单生成，请在那里填写。")


class EditConflict(Exception):
    """Someone changed (or deleted) this part after the user opened it: nothing was written."""

    def __init__(self, *, theirs, yours, gone=False):
        super().__init__("conflict")
        self.theirs = theirs  # the part as it now is ({} when it was deleted)
        self.yours = yours  # what the user tried to save
        self.gone = gone


def fingerprint(values: dict) -> str:
    """A short digest of what a form showed, so that a later save can tell if it changed."""
    data = json.dumps({k: "" if v is None else str(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:24]


def part_values(obj: Part, kind: str) -> dict:
    return {field: getattr(obj, field) for field in PART_FIELDS[kind]}


def part_ref(kind: str, obj: Part) -> str:
    return kind if kind in REPORT_PARTS else f"{kind}-{obj.pk}"


def edit_refusal(*, user: AbstractBaseUser, report: Report) -> tuple[str, str] | None:
    """Why the user may not edit the report, as (message, code), or None when they may: the one
    answer of the editor's views and of every write's re-check under the lock."""
    if can_edit(user, report):
        return None
    if report.status not in EDITABLE_STATUSES:
        # Translators: the status reads 已提交, 已审定 or 已签收; it carries its own 已.
        return _("这份报告%(status)s，不能再修改。") % {"status": report.get_status_display()}, "not_editable"
    if not is_drafter(user, report.organization_id):
        return _("只有本单位的起草人可以修改这份报告。"), "not_drafter"
    return deadline_for(report).closed_message(), "closed"


def check_editable(*, user: AbstractBaseUser, report: Report) -> None:
    """Raise EditRefused, with the reason, unless the user may edit the report as it is given."""
    refused = edit_refusal(user=user, report=report)
    if refused is not None:
        raise EditRefused(*refused)


def _lock(report, user):
    locked = Report.objects.select_for_update().get(pk=report.pk)
    check_editable(user=user, report=locked)
    return locked


TOUCHED_FIELDS = ["version", "updated_by", "updated_at"]


def _touch(locked: Report, user, report: Report) -> None:
    """Record a write: bump the locked row's version, name the editor, and give the caller's
    `report` the new version, so that the forms it renders next are based on this write."""
    from reports.quality.jobs import refresh_after_commit  # here: the check reads the drafting modules

    Report.objects.filter(pk=locked.pk).update(version=F("version") + 1, updated_by=user, updated_at=timezone.now())
    refresh_after_commit(locked.pk)
    locked.refresh_from_db(fields=TOUCHED_FIELDS)
    for field in TOUCHED_FIELDS:
        setattr(report, field, getattr(locked, field))


def find_part(report: Report, kind: str, part_id: int | None) -> Part | None:
    """The part of `report` that `kind` and `part_id` name, as it is now in the database: the
    report itself for its own parts (title, opening…), a section, heading or item only if it
    belongs to this report; None when there is no such part here (deleted, or another report's)."""
    if kind in REPORT_PARTS:
        return report
    model = PART_MODELS.get(kind)
    if model is None or part_id is None:
        return None
    lookup = {"report": report} if model is Section else {"section__report": report}
    return model.objects.filter(pk=part_id, **lookup).first()


def _place_after(locked: Report, new: Section | Heading | Item, after: Section | Heading | Item | None):
    """`after` as it now is in the report, if it stands in the list `new` goes into; else WrongPlace."""
    if after is None:
        return None
    kind = next(kind for kind, model in PART_MODELS.items() if isinstance(after, model))
    current = find_part(locked, kind, after.pk)
    if current is None or ordering.list_key(current) != ordering.list_key(new):
        raise WrongPlace(WRONG_PLACE)
    return current


def _room_for_another_part(locked: Report) -> None:
    """Refuse a part past MAX_REPORT_PARTS: the importer refuses a larger report, and a report
    built up one part at a time is held to the same limit."""
    parts = (Section.objects.filter(report=locked).count() + Heading.objects.filter(section__report=locked).count()
             + Item.objects.filter(section__report=locked).count())
    if parts >= MAX_REPORT_PARTS:
        raise EditRefused(_("这份报告已有 %(limit)d 个部分、小标题和条目，不能再添加。") % {"limit": MAX_REPORT_PARTS},
                          "too_many_parts")


def _only_sibling_parts(kind):
    # find_part gives the report itself for its own fields: deleting "the title" would delete it.
    if kind not in PART_MODELS:
        raise ValueError(f"only sections, headings and items are moved or deleted, not {kind!r}")


def _check_base(kind, current, *, base_version, base_fingerprint, report, yours):
    if current is None:
        raise EditConflict(theirs={}, yours=yours, gone=True)
    if report.version != base_version and fingerprint(part_values(current, kind)) != base_fingerprint:
        raise EditConflict(theirs=part_values(current, kind), yours=yours)


@transaction.atomic
def save_part(*, user: AbstractBaseUser, report: Report, kind: str, obj: Part, values: dict, base_version: int,
              base_fingerprint: str, reason: str = "") -> Part:
    """Write the user's `values` for one part. Returns the part as saved. `reason` goes into the
    edit trail with the change (an accepted suggestion names whose it was)."""
    locked = _lock(report, user)
    current = find_part(locked, kind, obj.pk)
    _check_base(kind, current, base_version=base_version, base_fingerprint=base_fingerprint, report=locked, yours=values)
    if kind == "section" and (values["kind"] in GENERATED_SECTION_KINDS) != current.generated:
        raise EditRefused(GENERATED_KIND, "generated_kind")
    fields = PART_FIELDS[kind]
    for field in fields:
        setattr(current, field, values[field])
    current._history_user = user  # the edit trail names the editor, also outside a request
    if reason:
        current._change_reason = reason
    if kind in REPORT_PARTS:
        current.save(update_fields=[*fields, "updated_at"])
        # The caller shows the sheet from its own `report` next: it must show what was saved.
        for field in fields:
            setattr(report, field, getattr(current, field))
    else:
        current.save(update_fields=list(fields))
    _touch(locked, user, report)
    return current


def conflict_base(*, report: Report, kind: str, obj: Part) -> tuple[int, str] | None:
    """What a save refused as a conflict is re-based on: (version, fingerprint) of the part as it
    now is, so that saving the same text again is a deliberate overwrite of theirs. None when
    the part has been deleted: there is nothing to overwrite. Brings `report` up to date, so
    that the page shown with the conflict is the report as it now is."""
    report.refresh_from_db()
    current = find_part(report, kind, obj.pk)
    if current is None:
        return None
    return report.version, fingerprint(part_values(current, kind))


@transaction.atomic
def delete_part(*, user: AbstractBaseUser, report: Report, kind: str, obj: Part, base_version: int,
                base_fingerprint: str, reason: str = "") -> None:
    """Delete a section, heading or item, unless someone changed it since the user saw it."""
    _only_sibling_parts(kind)
    locked = _lock(report, user)
    current = find_part(locked, kind, obj.pk)
    if current is None:
        return  # already gone: the user's wish holds
    _check_base(kind, current, base_version=base_version, base_fingerprint=base_fingerprint, report=locked, yours={})
    current._history_user = user
    if reason:
        current._change_reason = reason
    current.delete()
    ordering.close_gap(current)
    _touch(locked, user, report)


@transaction.atomic
def move_part(*, user: AbstractBaseUser, report: Report, kind: str, obj: Part, step: int) -> bool:
    _only_sibling_parts(kind)
    locked = _lock(report, user)
    current = find_part(locked, kind, obj.pk)
    if current is None:
        raise EditConflict(theirs={}, yours={}, gone=True)
    moved = ordering.move(current, step, user=user)
    if moved:
        _touch(locked, user, report)
    return moved


@transaction.atomic
def set_lists_attachments(*, user: AbstractBaseUser, report: Report, on: bool) -> None:
    """Whether the Word file ends its body with the 附件 list of the report's evidence."""
    locked = _lock(report, user)
    if locked.lists_attachments != on:
        locked.lists_attachments = on
        locked._history_user = user
        locked.save(update_fields=["lists_attachments"])
        _touch(locked, user, report)
    report.lists_attachments = on


@transaction.atomic
def add_section(*, user: AbstractBaseUser, report: Report, after: Section | None = None, title: str | None = None,
                kind: str = Section.Kind.OTHER) -> Section:
    locked = _lock(report, user)
    section = Section(report=locked, kind=kind, title=title or _("新的部分"))
    section._history_user = user
    _room_for_another_part(locked)
    ordering.insert_after(section, _place_after(locked, section, after))
    _touch(locked, user, report)
    return section


@transaction.atomic
def print_generated_part(*, user: AbstractBaseUser, report: Report, kind: str, on: bool) -> Section | None:
    """Print a generated part (上季度问题整改情况, 上季度工作打算落实情况) or stop printing it. A new
    one goes before 存在的主要问题, under its kind's title; stopping deletes the section, whose
    items were never typed (they stay in the ledger and the checklist)."""
    if kind not in GENERATED_SECTION_KINDS:
        raise EditRefused(_("未知的部分。"), "not_generated")
    locked = _lock(report, user)
    existing = list(Section.objects.filter(report=locked, kind=kind))
    if not on:
        for section in existing:
            section._history_user = user
            section.delete()
            ordering.close_gap(section)
        if existing:
            _touch(locked, user, report)
        return None
    if existing:
        return existing[0]
    sections = list(Section.objects.filter(report=locked).order_by("position"))
    before = next((index for index, section in enumerate(sections) if section.kind == Section.Kind.PROBLEMS), None)
    after = sections[before - 1] if before else None
    section = Section(report=locked, kind=kind, title=report_words(Section.Kind(kind).label))
    section._history_user = user
    _room_for_another_part(locked)
    ordering.insert_after(section, after)
    _touch(locked, user, report)
    return section


@transaction.atomic
def add_heading(*, user: AbstractBaseUser, report: Report, section: Section, after: Heading | None = None,
                title: str | None = None) -> Heading:
    locked = _lock(report, user)
    section = find_part(locked, "section", section.pk)
    if section is None:
        raise EditConflict(theirs={}, yours={}, gone=True)
    if section.generated:
        raise WrongPlace(GENERATED_PLACE)
    heading = Heading(section=section, title=title or _("新的小标题"))
    heading._history_user = user
    _room_for_another_part(locked)
    ordering.insert_after(heading, _place_after(locked, heading, after))
    _touch(locked, user, report)
    return heading


@transaction.atomic
def add_item(*, user: AbstractBaseUser, report: Report, section: Section, heading: Heading | None = None,
             after: Item | None = None, text: str = "") -> Item:
    """A new item, empty unless `text` is given, after `after` or at the end of its list."""
    locked = _lock(report, user)
    asked_heading = heading
    section = find_part(locked, "section", section.pk)
    heading = find_part(locked, "heading", heading.pk) if heading else None
    if section is None or (asked_heading is not None and heading is None):
        raise EditConflict(theirs={}, yours={"text": text}, gone=True)
    if heading is not None and heading.section_id != section.id:
        raise WrongPlace(WRONG_PLACE)
    if section.generated:
        raise WrongPlace(GENERATED_PLACE)
    item = Item(section=section, heading=heading, text=text)
    item._history_user = user
    _room_for_another_part(locked)
    ordering.insert_after(item, _place_after(locked, item, after))
    _touch(locked, user, report)
    return item


@transaction.atomic
def set_items_layout(*, user: AbstractBaseUser, report: Report, layout: str) -> None:
    locked = _lock(report, user)
    # A save, not an update: the layout changes what prints, so it goes into the report's trail.
    locked.items_layout = layout
    locked._history_user = user
    locked.save(update_fields=["items_layout"])
    _touch(locked, user, report)
    report.items_layout = layout


# Measures -----------------------------------------------------------------------------------


@transaction.atomic
def add_measure(*, user: AbstractBaseUser, report: Report, measure: Measure | None = None, name: str | None = None,
                unit: str | None = None) -> MeasureValue:
    """Put a catalogue measure, or the one named by `name` and `unit` (Measure.objects.for_name:
    the common one if the catalogue has it, else the body's own), in the report's panel."""
    locked = _lock(report, user)
    if measure is None:
        measure = Measure.objects.for_name(name=name, unit=unit, organization=locked.organization)
    value = MeasureValue.objects.filter(report=locked, measure=measure).first()
    created = value is None
    if created:
        value = MeasureValue(report=locked, measure=measure)
        value._history_user = user
        value.save()
        _touch(locked, user, report)
    return value


@transaction.atomic
def set_measure_value(*, user: AbstractBaseUser, report: Report, measure_value: MeasureValue, value: Decimal | None,
                      reason: str = "") -> None:
    """Values are typed once and shown wherever the text refers to them; the last save wins
    because a figure has no text to merge and the panel always shows the current value.
    A value the measure refuses (3.5 of a count) raises ValidationError."""
    measure_value.measure.validate_value(value)
    locked = _lock(report, user)
    current = MeasureValue.objects.filter(pk=measure_value.pk, report=locked).first()
    if current is None:
        raise EditConflict(theirs={}, yours={"value": value}, gone=True)
    current.value = value
    current._history_user = user
    if reason:
        current._change_reason = reason
    current.save(update_fields=["value"])
    _touch(locked, user, report)


@transaction.atomic
def remove_measure(*, user: AbstractBaseUser, report: Report, measure_value: MeasureValue) -> None:
    locked = _lock(report, user)
    texts = token_texts(
        locked,
        Section.objects.filter(report=locked).only(*TOKEN_FIELDS["section"]).order_by(),
        Heading.objects.filter(section__report=locked).only(*TOKEN_FIELDS["heading"]).order_by(),
        Item.objects.filter(section__report=locked).only(*TOKEN_FIELDS["item"]).order_by(),
    )
    if measure_value.measure_id in referenced_ids(*texts):
        raise EditRefused(_("正文中仍引用这项统计数，请先删除正文中的引用。"), "measure_in_use")
    current = MeasureValue.objects.filter(pk=measure_value.pk, report=locked).first()
    if current is not None:
        current._history_user = user
        current.delete()
    _touch(locked, user, report)


MAX_NOTE = 2000


def save_figure_notes(*, user: AbstractBaseUser, report: Report, notes: dict[int, str]) -> int:
    """Keep the drafter's 说明 of figures (by measure id), given with a submission: saved even when
    the submission is refused for something else, so that nothing typed is lost. A note is not
    text of the report: the report's version stays (a colleague's open form is not made stale).
    Returns how many notes changed."""
    from reports.document.text import clean_text

    changed = 0
    with transaction.atomic():
        locked = _lock(report, user)
        for value in MeasureValue.objects.filter(report=locked, measure_id__in=list(notes)).select_related("measure"):
            note, _removed = clean_text(notes[value.measure_id])
            if len(note) > MAX_NOTE:
                raise EditRefused(_("“%(name)s”的说明最多 %(limit)d 个字符，现有 %(count)d 个。")
                                  % {"name": value.measure.name, "limit": MAX_NOTE, "count": len(note)}, "note_too_long")
            if note != value.note:
                value.note = note
                value._change_reason = "说明"
                value.save(update_fields=["note"])
                changed += 1
    if changed:
        from reports.quality.jobs import refresh_after_commit

        refresh_after_commit(report.pk)
    return changed
