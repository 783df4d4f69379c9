"""Copied text: each written part of a report against the body's own earlier reports and against
the other bodies' reports of the same period, whatever their status (a copy is made in a draft).

Chinese has no spaces, so texts are compared on characters. A part's text is normalised (no white
space, every number one mark: last quarter's paragraph with this quarter's figures is still last
quarter's paragraph) and cut into shingles of three characters. Its MinHash (datasketch) is cut
into LSH bands whose keys are stored (TextBand): the parts sharing a band with one of the report's
are the candidates, found by one indexed query whether there are thirty reports or thirty
thousand. Each candidate is then scored exactly (rapidfuzz's normalised Indel similarity: the
share of characters the two texts have in common, in order), on the texts with the stock phrases
(StockPhrase, kept in the admin) left out, and reported from JIBAO_COPY_SIMILARITY up. Parts
shorter than a sentence (JIBAO_COPY_MIN_CHARS, stock phrases left out) are not compared.

Only what a drafter writes is compared: items, leads and the opening. Titles and headings come
from the standard outline, the lines of 上季度问题整改情况 and of the plans from the ledger; both
are the same from one quarter to the next by design.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

from datasketch import MinHash, MinHashLSH
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from reports.document.model import Document, build_document
from reports.document.parts import TextPart, text_parts
from reports.labels import period_name
from reports.models import ANNUAL_PERIOD_ORDER, Report, StockPhrase, TextBand, TextPrint

SHINGLE = 3
PERMUTATIONS = 64
# datasketch's hashing of the shingles; the stored band keys hold only under the same one.
SCHEME = "affine32"
# Jaccard similarity of the shingles from which two parts are likely (not certain) to share a
# band: well below the reported similarity, so that a lightly edited paragraph is still found.
CANDIDATE_THRESHOLD = 0.5
SPACE_RE = re.compile(r"\s+")
NUMBER_RE = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
NUMBER_MARK = "#"
PREVIOUS, PEER = "previous", "peer"


def normalised(text: str) -> str:
    return NUMBER_RE.sub(NUMBER_MARK, SPACE_RE.sub("", text))


def written(part: TextPart) -> bool:
    """A part the drafter writes, rather than one the outline or the ledger gives."""
    return part.ref.startswith("item-") or part.field == "lead" or part.ref == "opening"


@cache
def _lsh() -> tuple[int, int, object]:
    """The bands (b) and rows per band (r) datasketch finds best for the threshold, and the
    permutations, made once: a MinHash built with them is the same in every process."""
    lsh = MinHashLSH(threshold=CANDIDATE_THRESHOLD, num_perm=PERMUTATIONS)
    return lsh.b, lsh.r, MinHash(num_perm=PERMUTATIONS, scheme=SCHEME).permutations


def band_keys(text: str) -> list[int]:
    """The keys of the text's LSH bands, as signed 64-bit numbers (a database's BIGINT)."""
    bands, rows, permutations = _lsh()
    minhash = MinHash(num_perm=PERMUTATIONS, permutations=permutations, scheme=SCHEME)
    chars = text.encode("utf-32-le")  # four bytes a character: a shingle is a slice
    width = 4 * SHINGLE
    minhash.update_batch([chars[start : start + width] for start in range(0, max(4, len(chars) - width + 4), 4)])
    keys = []
    for band in range(bands):
        digest = hashlib.blake2b(bytes([band]) + minhash.hashvalues[band * rows : (band + 1) * rows].tobytes(),
                                 digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def _period(report: Report) -> int:
    return ANNUAL_PERIOD_ORDER if report.quarter is None else report.quarter


def refresh(report: Report, document: Document | None = None) -> bool:
    """Store the report's written parts as they now read (only those changed since); True when
    anything changed. Run after every write (reports.quality.jobs), so that other reports' checks
    read this one as it stands."""
    document = document or build_document(report)
    wanted = {part.key: part.text for part in text_parts(document) if written(part) and normalised(part.text)}
    stored = {(ref, field): (pk, text) for pk, ref, field, text
              in TextPrint.objects.filter(report=report).values_list("pk", "ref", "field", "text")}
    stale = [pk for key, (pk, text) in stored.items() if wanted.get(key) != text]
    new = [(key, text) for key, text in wanted.items() if key not in stored or stored[key][1] != text]
    if not stale and not new:
        return False
    period = _period(report)
    with transaction.atomic():
        if stale:
            TextPrint.objects.filter(pk__in=stale).delete()
        prints = TextPrint.objects.bulk_create([
            TextPrint(report=report, organization_id=report.organization_id, year=report.year, period_order=period,
                      ref=ref, field=field, text=text) for (ref, field), text in new])
        TextBand.objects.bulk_create([
            TextBand(print=stored_print, organization_id=report.organization_id, year=report.year,
                     period_order=period, key=key)
            for stored_print in prints for key in set(band_keys(normalised(stored_print.text)))])
    return True


class StockPhrases:
    """The admin's stock phrases, normalised, longest first (a longer one may hold a shorter)."""

    def __init__(self, phrases=None):
        if phrases is None:
            phrases = StockPhrase.objects.values_list("text", flat=True)
        self.phrases = sorted({normalised(phrase) for phrase in phrases if phrase.strip()}, key=len, reverse=True)

    def removed(self, text: str) -> str:
        for phrase in self.phrases:
            text = text.replace(phrase, "")
        return text


@dataclass(frozen=True)
class Source:
    """Where a copied part's text is found: which report, and that part's text as it printed."""

    report_id: int
    organization_id: int
    year: int
    period_order: int
    ref: str
    text: str

    @property
    def period(self) -> str:
        return period_name(self.year, None if self.period_order == ANNUAL_PERIOD_ORDER else self.period_order)


@dataclass(frozen=True)
class Copy:
    part: TextPart
    kind: str  # PREVIOUS or PEER
    similarity: float  # 0 to 1, as rapidfuzz measures it
    source: Source


@dataclass
class Comparison:
    copies: list[Copy]
    compared: dict[tuple[str, str], int]  # the parts compared, by key: their length

    def share(self, kind: str) -> float:
        """The share of the compared text, in characters, found copied: 0 to 1."""
        total = sum(self.compared.values())
        copied = sum(self.compared[copy.part.key] for copy in self.copies if copy.kind == kind)
        return copied / total if total else 0.0


def compare(report: Report, document: Document | None = None, *, stock: StockPhrases | None = None) -> Comparison:
    """The report's written parts (as they are now, not as stored) that are copies: at most one
    from the body's earlier reports (the most alike; of two alike, the latest) and one from the
    other bodies', per part, in the order of the text. Three queries, whatever the number of reports."""
    document = document or build_document(report)
    stock = stock or StockPhrases()
    minimum, threshold = settings.JIBAO_COPY_MIN_CHARS, settings.JIBAO_COPY_SIMILARITY
    own = []
    for part in text_parts(document):
        if written(part):
            text = normalised(part.text)
            if len(stock.removed(text)) >= minimum:
                own.append((part, text, stock.removed(text)))
    compared = {part.key: len(clean) for part, _text, clean in own}
    if not own:
        return Comparison([], compared)
    keys_of = [set(band_keys(text)) for _part, text, _clean in own]
    sources, names_by_key = {}, {}
    for key, source in _candidates(report, set().union(*keys_of)):
        sources[source.ref, source.report_id] = source
        names_by_key.setdefault(key, set()).add((source.ref, source.report_id))
    cleaned = {}
    copies = []
    for (part, _text, clean), keys in zip(own, keys_of, strict=True):
        best = {}
        for name in set().union(*(names_by_key.get(key, ()) for key in keys)):
            source = sources[name]
            if name not in cleaned:
                cleaned[name] = stock.removed(normalised(source.text))
            # score_cutoff: rapidfuzz stops early on a pair that cannot reach the threshold.
            similarity = fuzz.ratio(clean, cleaned[name], score_cutoff=threshold * 100) / 100
            if not similarity:
                continue
            kind = PEER if source.organization_id != report.organization_id else PREVIOUS
            # Of two alike, the latest; of two as recent, the first made (so the pick is stable).
            rank = (similarity, source.year, source.period_order, -source.report_id)
            if kind not in best or rank > best[kind][0]:
                best[kind] = (rank, Copy(part, kind, similarity, source))
        copies += [best[kind][1] for kind in (PREVIOUS, PEER) if kind in best]
    return Comparison(copies, compared)


def _candidates(report, keys):
    """(band key, Source) of the other reports' parts sharing a band: the body's earlier reports
    of the same kind (quarterly, or annual), and every other body's of the same period."""
    period = _period(report)
    earlier = Q(year__lt=report.year) | Q(year=report.year, period_order__lt=period)
    same_kind = Q(period_order=ANNUAL_PERIOD_ORDER) if report.annual else Q(period_order__lt=ANNUAL_PERIOD_ORDER)
    previous = Q(organization_id=report.organization_id) & earlier & same_kind
    peers = Q(year=report.year, period_order=period) & ~Q(organization_id=report.organization_id)
    # The bands first (small rows: a part matches on several), then each part's text once, its
    # ids as a subquery: thousands of them are no list of parameters.
    bands = TextBand.objects.filter(key__in=keys).filter(previous | peers)
    matched = list(bands.values_list("key", "print_id"))
    texts = {pk: Source(report_id, organization_id, year, period_order, ref, text)
             for pk, report_id, organization_id, year, period_order, ref, text
             in TextPrint.objects.filter(pk__in=bands.values("print_id"))
             .values_list("pk", "report_id", "organization_id", "year", "period_order", "ref", "text")}
    for key, print_id in matched:
        yield key, texts[print_id]


def shared_runs(text: str, other: str) -> list[tuple[str, bool]]:
    """`text` cut into runs, each marked True where `other` has it too (in order): what the
    overseer's side-by-side view highlights."""
    runs = []
    for tag, start, end, _other_start, _other_end in Indel.opcodes(text, other):
        if start == end:
            continue
        same = tag == "equal"
        if runs and runs[-1][1] == same:
            runs[-1] = (runs[-1][0] + text[start:end], same)
        else:
            runs.append((text[start:end], same))
    return runs
