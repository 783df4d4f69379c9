from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

STATUS_STYLES = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "approved": "text-bg-success",
    "accepted": "text-bg-dark",
}


@register.simple_tag
def status_badge(report):
    return format_html(
        '<span class="badge {} status-badge" data-status="{}">{}</span>',
        STATUS_STYLES.get(report.status, "text-bg-light"),
        report.status,
        report.get_status_display(),
    )


@register.filter
def waited(since):
    """How long something has waited, as a desk says it: "5 天", "3 小时", "不到 1 小时" (Django's
    timesince says 5 日, which reads as a day of the month in Chinese)."""
    from django.utils import timezone
    from django.utils.translation import ngettext

    if not since:
        return ""
    seconds = max(0, (timezone.now() - since).total_seconds())
    days, hours = int(seconds // 86400), int(seconds // 3600)
    if days:
        return ngettext("%(count)d 天", "%(count)d 天", days) % {"count": days}
    if hours:
        return ngettext("%(count)d 小时", "%(count)d 小时", hours) % {"count": hours}
    return _("不到 1 小时")


@register.simple_tag
def evidence_chip(counts, target, number=None):
    """"佐证 3" after a part that has evidence, linking to its files in the evidence panel; `target`
    is "item-12", or a kind with its `number`. Nothing when the page has no counts or none are."""
    if number is not None:
        target = f"{target}-{number}"
    count = (counts or {}).get(target)
    if not count:
        return ""
    return format_html('<a class="evidence-chip" href="#evidence-{}" data-testid="evidence-chip" title="{}">{}</a>',
                       target or "report", _("查看佐证材料"), _("佐证 %(count)d") % {"count": count})


@register.simple_tag
def part_actions(report, ref):
    """What the form of one part can do: its edit URL and, for sections, headings and items,
    the structural actions (move, delete, add after) with the fields each one posts."""
    from reports.drafting.editing import REPORT_PARTS, find_part
    from reports.views.links import part_url

    actions = {"edit": part_url(report, ref)}
    if ref in REPORT_PARTS:
        return actions
    kind, _sep, part_id = ref.partition("-")
    part = find_part(report, kind, int(part_id)) if part_id.isdigit() else None
    if part is None:
        return actions  # not a part of this report (any more): nothing to move, delete or add to
    part_id = part.pk

    def add_url(kind, **fields):
        query = urlencode({key: value for key, value in fields.items() if value})
        return reverse("reports:part_add", kwargs={"pk": report.pk, "kind": kind}) + (f"?{query}" if query else "")

    actions.update(kind=kind, move=part_url(report, ref, "move"), delete=part_url(report, ref, "delete"))
    # An item with no text yet (just inserted): cancelling its form takes it away again, rather
    # than leaving a bare 二是 in the report.
    actions["empty"] = kind == "item" and not part.text.strip()
    # The add buttons carry their target in the query string, so that they work as plain
    # form buttons (formaction) as well as with htmx.
    if kind == "item":
        actions["add_item"] = add_url("item", section=part.section_id, heading=part.heading_id or "", after=part_id)
    elif kind == "heading":
        actions["add_item"] = add_url("item", section=part.section_id, heading=part_id)
        actions["add_heading"] = add_url("heading", section=part.section_id, after=part_id)
    elif kind == "section":
        if not part.generated:  # a generated part's items come from its panel
            actions["add_item"] = add_url("item", section=part_id)
            actions["add_heading"] = add_url("heading", section=part_id)
        actions["add_section"] = add_url("section", after=part_id)
    return actions


@register.filter
def measure_value(value):
    """A measure's value as it prints: 3.00 → 3, 2.50 → 2.5, empty stays empty."""
    from reports.document.tokens import format_value

    return format_value(value)


@register.filter
def suggestable(ref):
    """Whether a reviewer can suggest a change to this part: a typed one, not a generated one
    (the ledger's problems, the plans are written in their panels)."""
    from reports.review.suggestions import suggestable_ref

    return suggestable_ref(ref)


@register.simple_tag
def review_part(report, part, slot, may_suggest, counts):
    """A part of the review page's sheet: for a reviewer who may suggest, a click opens its
    box under the paragraph (slot); where the part begins it takes the anchor #part-<ref>.
    Python, not an included template: it runs once per part (see runs_html)."""
    ref = part["ref"]
    anchor = format_html(' id="part-{}"', ref) if part["first"] else ""
    chip = evidence_chip(counts, ref) if ref and part["first"] else ""
    if may_suggest and suggestable(ref):
        return format_html(
            '<span class="part-view part-suggestable" data-ref="{}"{} hx-get="{}" hx-target="#suggest-slot-{}" '
            'role="button" tabindex="0" title="{}">{}</span>{}', ref, anchor,
            reverse("reports:suggest", args=[report.pk, ref]), slot, _("点击提出修改建议"), runs_html(part["runs"]), chip)
    return format_html('<span class="part-view" data-ref="{}"{}>{}</span>{}', ref, anchor, runs_html(part["runs"]), chip)


@register.filter
def refs_of(groups):
    """The parts a paragraph shows: {"item-12", "heading-5"} from its groups."""
    return {ref for ref, _runs in groups if ref}


@register.filter
def runs_html(runs):
    """A paragraph's runs as the pages print them: a span per run, a figure with its name as a
    tooltip, a figure without a value marked. Written in Python: as an included template it ran
    once per part, about 60 times for an editor page (docs/PERFORMANCE.md)."""
    return format_html_join("", "{}", ((_run_html(run),) for run in runs))


def _run_html(run):
    if run.kind == "measure":
        tag = "mark" if run.missing else "span"
        return format_html('<{} class="run-measure{}" title="{}" data-measure="{}">{}</{}>', tag,
                           " measure-missing" if run.missing else "", run.label, run.measure_id, run.text, tag)
    return format_html('<span class="run-{}{}">{}</span>', run.role, " run-ordinal" if run.kind == "ordinal" else "", run.text)
