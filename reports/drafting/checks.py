"""The check panel (检查): everything still to fill in before a report may be submitted.

The editor lists these problems beside the text and submission is refused while any remain,
so this module is the one place that decides what "not finished" means. Text problems are read
from the document model, so they are exactly what would print, named by the ordinals the user
sees; empty parts are read from the database, because an empty part prints as nothing to find.

Warnings (find_warnings) are listed apart and never block: text that names another period than
the report's, as text copied from last quarter does, may be right (a comparison), so the drafter
decides.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.document.model import Document, Kind, build_document, heading_title, item_text, paragraph_texts, section_title
from reports.document.parts import field_of
from reports.document.text import shortened
from reports.document.units import COUNT_UNIT_PATTERN, SPAN_PATTERN
from reports.drafting.starting import next_quarter
from reports.labels import QUARTER_NUMBERS, period_text
from reports.models import GENERATED_SECTION_KINDS, Heading, Item, MeasureValue, Report, Section

MEASURE_MISSING = "measure_missing"
PLACEHOLDER = "placeholder"
EMPTY = "empty"
# Warnings, not problems: the text names another period than the report's, or a date before
# it began (the date of a meeting last quarter, a 成文日期 kept from a copy).
OTHER_PERIOD = "other_period"
EARLIER_DATE = "earlier_date"
# Problems of the measures panel rather than of a place in the text.
MEASURES_REF = "measures"
# Last quarter's plans not yet answered in the plans checklist (reports.tracking.carried).
PLAN_UNANSWERED = "plan_unanswered"
PLANS_REF = "plans"
# A measure the catalogue says needs evidence, counted above zero without a file (reports.evidence).
EVIDENCE_MISSING = "evidence_missing"
EVIDENCE_REF = "evidence"
# Enough text for the user to recognise the spot, short enough for a side panel.
EXCERPT_LENGTH = 30

# Drafts inherit blanks from templates and from redacted samples; each alternative is one
# habit of marking "to be filled in". Normal text, Chinese numerals (十四届一次会议) and the
# ellipsis …… are deliberately not matched. Alternatives are tried in order, so a count
# placeholder (XX人次) is reported whole rather than as a bare XX.
PLACEHOLDER_RE = re.compile(
    rf"""
    # A count not yet known, before its unit (reports/document/units.py): x次, XX人次, ×件; or a
    # span not yet known, x个月, reported whole though it is no count. A letter before the x
    # means a Latin word (Fedex件), not a blank.
      (?<![A-Za-zＡ-Ｚａ-ｚ]) [xXｘＸ×]+ (?:{COUNT_UNIT_PATTERN}|{SPAN_PATTERN})
    # Stars stand for a redacted or unknown name or number: *, **, ＊＊＊.
    | [*＊]+
    # Two or more × stand for a name: ××单位, ×××同志.
    | ×{{2,}}
    # XX or xx standing alone; inside a Latin word (Xbox, XXL) it is part of the word.
    | (?<![A-Za-zＡ-Ｚａ-ｚ]) (?:X{{2,}}|x{{2,}}|Ｘ{{2,}}|ｘ{{2,}}) (?![A-Za-zＡ-Ｚａ-ｚ])
    # Official documents do not use 【】: any pair is a template's blank, 【】 or 【单位名称】.
    | 【[^【】\n]{{0,30}}】
    # An empty 〔〕; a filled one is a document number, 〔2023〕5号.
    | 〔\s*〕
    """,
    re.VERBOSE,
)

# A reporting period named in the text, with or without its year: 一季度, 第一季度, 1季度,
# 2022年第四季度, 上半年, 前三季度. A span is named by the quarter it ends with.
PERIOD_RE = re.compile(
    r"""
    (?: (?<![0-9０-９]) (?P<year>(?:19|20)[0-9]{2}) 年 )?
    (?: (?P<span>上半年|前三季度) | 第? (?P<quarter>[一二三四1-4１-４]) 季度 )
    """,
    re.VERBOSE,
)
SPAN_END = {"上半年": 2, "前三季度": 3}
QUARTER_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4, "１": 1, "２": 2, "３": 3, "４": 4}
# A year standing for the period itself ("2022年，共召开……"). Not 2022年度 or 2022年工作 (the year
# before, or its work report, is background a quarterly report often recalls), nor a date (2022年12月) or a point of
# comparison (2022年以来, 2022年同期, 2022年底…); a year before a period word is PERIOD_RE's.
YEAR_RE = re.compile(
    r"""
    (?<![0-9０-９]) (?P<year>(?:19|20)[0-9]{2}) 年
    (?! 度 | 工作 | [0-9０-９一二三四五六七八九十] | 以来 | 同期 | 底 | 末 | 初 | 上半年 | 前三季度 | 第 | 季度 )
    """,
    re.VERBOSE,
)

# The year before's 年度 or 工作 is background; one older than that, in a report copied from an old
# one, is not ("列入2020年度工作要点" in a 2023 report).
OLD_YEAR_RE = re.compile(r"(?<![0-9０-９])(?P<year>(?:19|20)[0-9]{2})年(?=度|工作)")

# A date in the text: 2023年3月5日, 3月5日 (the report's year), 2022年12月. A bare month (6月底前)
# is a deadline more often than a date, so a month needs its year or its day.
DATE_RE = re.compile(
    r"""
    (?: (?<![0-9０-９]) (?P<year>(?:19|20)[0-9]{2}) 年 )?
    (?<![0-9０-９]) (?P<month>1[0-2]|0?[1-9]) 月
    (?: (?P<day>3[01]|[12][0-9]|0?[1-9]) [日号] )?
    """,
    re.VERBOSE,
)

# Parts without an ordinal are named by what they are.
PART_NAMES = {
    "title": gettext_lazy("标题"),
    "addressee": gettext_lazy("主送机关"),
    "opening": gettext_lazy("开头段"),
    "closing": gettext_lazy("结束语"),
    "signature": gettext_lazy("落款"),
}


@dataclass(frozen=True)
class Problem:
    kind: str  # MEASURE_MISSING, PLACEHOLDER or EMPTY; OTHER_PERIOD for a warning
    ref: str  # the part, as in the document model ("item-12"), or MEASURES_REF
    message: str
    excerpt: str = ""
    measure_id: int | None = None
    field: str = ""  # which of the part's fields ("title", "lead", "signature_date"…), where known
    subject: str = ""  # what it is about: the placeholder or period as written, the measure's name


def find_problems(report: Report, document: Document | None = None, *,
                  measure_values: Iterable[MeasureValue] | None = None) -> list[Problem]:
    """Everything still to fill in, in the order of the document; measures-panel problems last.

    Pass the `document` already built for the page, and the report's MeasureValues (with their
    measures) if the page has read them, to save reading them again; the checks themselves take
    a constant number of queries, however long the report.
    """
    document = document or build_document(report)
    places = part_places(document)
    problems = _empty_parts(report, places, document) + _text_problems(document, places)
    rank = {}
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            rank.setdefault(run.ref, len(rank))

    def order(problem):
        # An empty part is reported at its start; sort() is stable, so text problems keep
        # the order in which they were found. A part missing from a stale document goes last.
        return rank.get(problem.ref, len(rank)), problem.kind != EMPTY

    in_text = {problem.measure_id for problem in problems if problem.kind == MEASURE_MISSING}
    if measure_values is None:  # read once, for the blanks of the panel and the figures needing evidence
        measure_values = list(report.measure_values.select_related("measure"))
    return (sorted(problems, key=order) + _panel_problems(report, exclude=in_text, values=measure_values)
            + _unanswered_plans(report) + _unproven_measures(report, measure_values))


def _unproven_measures(report, values=None):
    from reports.evidence.attach import required_missing

    return [Problem(EVIDENCE_MISSING, EVIDENCE_REF, _("统计数“%(name)s”需要上传佐证材料") % {"name": value.measure.name},
                    measure_id=value.measure_id, subject=value.measure.name)
            for value in required_missing(report, values)]


def _unanswered_plans(report):
    from reports.tracking.carried import unanswered

    return [Problem(PLAN_UNANSWERED, PLANS_REF, _("上季度工作打算“%(plan)s”尚未填写落实情况") % {"plan": _shortened(plan.text)},
                    subject=plan.text)
            for plan in unanswered(report)]


def part_places(document: Document) -> dict[str, str]:
    """ref → where the user sees it: "一、主要做法 （二） 五是", built from the printed ordinals."""
    places = {ref: str(name) for ref, name in PART_NAMES.items()}
    section = context = ""
    for paragraph in document.paragraphs:
        if paragraph.kind == Kind.SECTION:
            ordinal = paragraph.runs[0].text
            # An untitled section would read as a bare "一、".
            section = context = paragraph.text if paragraph.text != ordinal else _("第%(n)s部分") % {"n": ordinal.rstrip("、")}
            places[paragraph.ref] = section
            continue
        for run in paragraph.runs:
            if run.kind != "ordinal":
                continue
            if run.ref.startswith("heading-"):
                context = places[run.ref] = f"{section} {run.text}"
            else:
                places[run.ref] = f"{context} {run.text}"
    return places


def _field_at(runs, ref, offset):
    """The field of the part that the run at `offset` of the part's text belongs to."""
    for run in runs:
        if offset < len(run.text):
            return field_of(ref, run.role)
        offset -= len(run.text)
    return field_of(ref, runs[-1].role) if runs else ""


def _place(places, ref):
    return places.get(ref) or _("报告正文")


def _shortened(text):
    return shortened(text, EXCERPT_LENGTH)


def _excerpt(text, start, end):
    """About EXCERPT_LENGTH characters around text[start:end], always including all of it."""
    room = max(0, EXCERPT_LENGTH - (end - start))
    begin = max(0, min(start - room // 2, len(text) - EXCERPT_LENGTH))
    return text[begin : max(end, begin + EXCERPT_LENGTH)]


def _text_problems(document, places):
    problems, seen_measures = [], set()
    for paragraph in document.paragraphs:
        for ref, runs in paragraph.groups():
            runs = [run for run in runs if run.kind != "ordinal"]
            text = "".join(run.text for run in runs)
            place = _place(places, ref)
            offset = 0
            for run in runs:
                if run.missing and (ref, run.measure_id) not in seen_measures:
                    seen_measures.add((ref, run.measure_id))
                    if run.label:
                        message = _("%(place)s：统计数“%(name)s”尚未填写") % {"place": place, "name": run.label}
                    else:
                        message = _("%(place)s：引用的统计数已不存在") % {"place": place}
                    excerpt = _excerpt(text, offset, offset + len(run.text))
                    problems.append(Problem(MEASURE_MISSING, ref, message, excerpt, run.measure_id,
                                            field=field_of(ref, run.role), subject=run.label))
                elif run.kind == "text":
                    for match in PLACEHOLDER_RE.finditer(run.text):
                        message = _("%(place)s：有待填写的占位符“%(text)s”") % {"place": place, "text": match.group()}
                        excerpt = _excerpt(text, offset + match.start(), offset + match.end())
                        problems.append(Problem(PLACEHOLDER, ref, message, excerpt, field=field_of(ref, run.role),
                                                subject=match.group()))
                offset += len(run.text)
    return problems


def _empty_parts(report, places, document):
    """Parts with nothing in them, judged by what would print (a title of "。" prints as nothing)."""
    # Plain rows: no model instances to build for a long report, and no join for the models'
    # default ordering (the problems are put in document order afterwards).
    sections = Section.objects.filter(report=report).order_by().values_list("id", "title", "lead", "kind")
    headings = list(Heading.objects.filter(section__report=report).order_by().values_list("id", "section_id", "title"))
    items = list(Item.objects.filter(section__report=report).order_by().values_list("id", "section_id", "text"))
    filled = {section_id for _id, section_id, _text in headings + items} | _generated_filled(document)

    problems = []
    if not report.title.strip():
        problems.append(Problem(EMPTY, "title", _("报告标题为空")))
    # A report is signed and dated (GB/T 9704): a copy keeps the name and leaves the date to fill.
    if not report.signature_name.strip():
        problems.append(Problem(EMPTY, "signature", _("%(place)s：署名为空") % {"place": PART_NAMES["signature"]},
                                field="signature_name"))
    if not report.signature_date:
        problems.append(Problem(EMPTY, "signature", _("%(place)s：成文日期尚未填写") % {"place": PART_NAMES["signature"]},
                                field="signature_date"))
    for section_id, title, lead, kind in sections:
        ref = f"section-{section_id}"
        if not section_title(title):
            problems.append(Problem(EMPTY, ref, _("%(place)s：部分标题为空") % {"place": _place(places, ref)}, field="title"))
        if section_id not in filled and not paragraph_texts(lead) and kind in GENERATED_SECTION_KINDS:
            problems.append(Problem(EMPTY, ref, _("%(place)s：没有可列出的内容，不需要时可删除这一部分")
                                    % {"place": _place(places, ref)}))
        elif section_id not in filled and not paragraph_texts(lead):
            problems.append(Problem(EMPTY, ref, _("%(place)s：这一部分还没有内容") % {"place": _place(places, ref)}))
    for heading_id, _section_id, title in headings:
        ref = f"heading-{heading_id}"
        if not heading_title(title, run_in=False):
            problems.append(Problem(EMPTY, ref, _("%(place)s：小标题为空") % {"place": _place(places, ref)}, field="title"))
    for item_id, _section_id, text in items:
        ref = f"item-{item_id}"
        if not item_text(text):
            problems.append(Problem(EMPTY, ref, _("%(place)s：这一项还没有内容") % {"place": _place(places, ref)}, field="text"))
    return problems


def _generated_filled(document):
    """The sections whose items are generated (上季度问题整改情况…) and have some."""
    filled, section_id = set(), None
    for paragraph in document.paragraphs:
        if paragraph.kind == Kind.SECTION:
            section_id = int(paragraph.ref.removeprefix("section-"))
        elif section_id and any(run.ref.startswith(GENERATED_REFS) for run in paragraph.runs):
            filled.add(section_id)
    return filled


GENERATED_REFS = ("problem-", "plan-")


def _panel_problems(report, *, exclude, values=None):
    """Measures of the panel without a value that no text refers to (those that are referred
    to are listed at their place in the text already: one entry per blank is enough), by name."""
    if values is None:
        values = report.measure_values.filter(value__isnull=True).select_related("measure")
    blanks = sorted((v for v in values if v.value is None and v.measure_id not in exclude), key=lambda v: v.measure.name)
    return [
        Problem(MEASURE_MISSING, MEASURES_REF, _("统计数“%(name)s”尚未填写") % {"name": blank.measure.name},
                measure_id=blank.measure_id, subject=blank.measure.name)
        for blank in blanks
    ]


def period_start(report: Report) -> date:
    return date(report.year, 1 if report.annual else (report.quarter - 1) * 3 + 1, 1)


def _earlier_dates(text, report):
    """The dates in `text` before the report's period began (a date after it is a deadline or a
    plan); a date without its year is in the report's year."""
    start = period_start(report)
    for match in DATE_RE.finditer(text):
        if not (match["year"] or match["day"]):
            continue
        year, month = int(match["year"] or report.year), int(match["month"])
        try:
            day = date(year, month, int(match["day"])) if match["day"] else None
        except ValueError:  # 2月30日: no date at all
            continue
        if (day < start) if day else (year, month) < (start.year, start.month):
            yield match


def find_warnings(report: Report, document: Document | None = None) -> list[Problem]:
    """Text that names another period than the report's, or a date before it began, in the order
    of the document: a copy of last quarter keeps "一季度共召开……", "3月5日召开……". Warnings, not
    problems: they never block. Then a 成文日期 before the period began.

    The report's own quarter is right everywhere; in 下一步的打算 so is the next quarter (and
    its year), which the plans are for. A quarter word without a year means the report's year.
    The lines the ledger prints (上季度问题整改情况) date their problems, as they should.
    """
    document = document or build_document(report)
    places = part_places(document)
    kinds = dict(Section.objects.filter(report=report).order_by().values_list("id", "kind"))
    if report.annual:  # the year's report speaks of each of its quarters, and plans for next year's
        own_periods, following = {(report.year, quarter) for quarter in QUARTER_NUMBERS}, {(report.year + 1, 1)}
    else:
        own_periods, following = {(report.year, report.quarter)}, {next_quarter(report.year, report.quarter)}
    warnings, kind = [], None
    for paragraph in document.paragraphs:
        if paragraph.kind == Kind.SECTION:
            kind = kinds.get(int(paragraph.ref.removeprefix("section-")))
        elif paragraph.ref in PART_NAMES:
            kind = None
        if paragraph.kind == Kind.DATE:  # the 成文日期, judged apart below
            continue
        planned = kind == Section.Kind.NEXT_STEPS
        allowed = own_periods | following if planned else own_periods
        for ref, runs in paragraph.groups():
            runs = [run for run in runs if run.kind != "ordinal"]
            text = "".join(run.text if run.kind == "text" else "\0" * len(run.text) for run in runs)
            found = []
            for match in PERIOD_RE.finditer(text):
                end = SPAN_END[match["span"]] if match["span"] else QUARTER_DIGITS[match["quarter"]]
                if match["year"]:
                    wrong = (int(match["year"]), end) not in allowed
                else:
                    wrong = end not in {quarter for _year, quarter in allowed}
                if wrong:
                    found.append(match)
            for match in YEAR_RE.finditer(text):
                year = int(match["year"])
                if not (year == report.year or (planned and year > report.year)):
                    found.append(match)
            found += [match for match in OLD_YEAR_RE.finditer(text) if int(match["year"]) < report.year - 1]
            dates = [] if ref.startswith(GENERATED_REFS) else list(_earlier_dates(text, report))
            for match in sorted(found + dates, key=lambda m: m.start()):
                said = {"place": _place(places, ref), "text": match.group(), "period": period_text(report.year, report.quarter)}
                if match in dates:
                    kind = EARLIER_DATE
                    message = _("%(place)s：“%(text)s”早于本报告的期间（%(period)s），请核对是否沿用了以前的文字") % said
                else:
                    kind = OTHER_PERIOD
                    message = _("%(place)s：“%(text)s”不是本报告的期间（%(period)s），请核对是否沿用了以前的文字") % said
                warnings.append(Problem(kind, ref, message, _excerpt(text, match.start(), match.end()).replace("\0", ""),
                                        field=_field_at(runs, ref, match.start()), subject=match.group()))
    if report.signature_date and report.signature_date < period_start(report):
        written = f"{report.signature_date.year}年{report.signature_date.month}月{report.signature_date.day}日"
        warnings.append(Problem(EARLIER_DATE, "signature", _("成文日期“%(text)s”早于本报告的期间（%(period)s）") % {
            "text": written, "period": period_text(report.year, report.quarter)}, field="signature_date", subject=written))
    return warnings
