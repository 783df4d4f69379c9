"""Which character of one text stands for which of another: paragraphs matched first, then the
characters of the paragraphs that differ (Chinese has no spaces: characters are the unit).

Both texts are lists of paragraphs. An offset is into the paragraphs joined with SEP after each,
so that a paragraph's end is a character too and two texts can be aligned across paragraphs (a
title the Word file prints on two lines, a paragraph the leader split).
"""

from __future__ import annotations

from bisect import bisect_right
from difflib import SequenceMatcher

SEP = "\ue000"  # a paragraph's end; a private-use character no report holds
# Aligning a block of differing paragraphs character by character costs about the product of
# their lengths: a block larger than this is first cut where paragraphs start alike.
BLOCK_CHARS = 6000
RARE = 4  # in a large block, a pair of characters in more base paragraphs than this tells none apart
ALIKE = 0.5  # … and paragraphs sharing this share of the rarer pairs stand for each other


def joined(paragraphs: list[str]) -> str:
    return "".join(paragraph + SEP for paragraph in paragraphs)


class Alignment:
    """`mapping`: {offset in the other text: offset in the base}; `exact`: the offsets of the other
    text whose character is the base's own (the rest stand where the base's text was replaced)."""

    def __init__(self, base: list[str], other: list[str]):
        self.base, self.other = base, other
        self.base_at, self.other_at = _starts(base), _starts(other)
        self.mapping: dict[int, int] = {}
        self.exact: set[int] = set()
        matcher = SequenceMatcher(None, base, other, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                for a, b in zip(range(a1, a2), range(b1, b2), strict=True):
                    self._same(self.base_at[a], self.other_at[b], len(base[a]) + 1)
            elif op == "replace":
                self._block(a1, a2, b1, b2)

    def _same(self, a, b, length):
        for offset in range(length):
            self.mapping[b + offset] = a + offset
            self.exact.add(b + offset)

    def _block(self, a1, a2, b1, b2):
        if _size(self.base[a1:a2], self.other[b1:b2]) <= BLOCK_CHARS:
            self._characters(a1, a2, b1, b2)
            return
        # Too large to align at once (a file edited all over without Track Changes): pair the
        # paragraphs that share most of their rarer character pairs, in order, align each pair,
        # and what lies between two pairs when it is small. What is left is too unlike to align.
        a, b = a1, b1
        for i, j1, j2 in _pairs(self.base, self.other, a1, a2, b1, b2):
            if _size(self.base[a:i], self.other[b:j1]) <= BLOCK_CHARS:
                self._characters(a, i, b, j1)
            self._characters(i, i + 1, j1, j2)
            a, b = i + 1, j2
        if _size(self.base[a:a2], self.other[b:b2]) <= BLOCK_CHARS:
            self._characters(a, a2, b, b2)

    def _characters(self, a1, a2, b1, b2):
        if a1 == a2 or b1 == b2:
            return
        base, other = joined(self.base[a1:a2]), joined(self.other[b1:b2])
        base_at, other_at = self.base_at[a1], self.other_at[b1]
        for op, i1, i2, j1, j2 in SequenceMatcher(None, base, other, autojunk=False).get_opcodes():
            if op == "equal":
                self._same(base_at + i1, other_at + j1, i2 - i1)
            elif op == "replace":
                # Each replacing character stands for the replaced one in its proportion, so an
                # untracked "3次" → "5次" lands in the part that held "3".
                for j in range(j1, j2):
                    i = i1 + (j - j1) * (i2 - i1) // (j2 - j1)
                    if other[j] != SEP and base[i] != SEP:
                        self.mapping[other_at + j] = base_at + i


def _size(base, other):
    return sum(map(len, base)) + sum(map(len, other))


def _grams(text):
    return {text[k:k + 2] for k in range(len(text) - 1)} or {text}


def _pairs(base, other, a1, a2, b1, b2):
    """[(i, j1, j2)]: base paragraph i stands for the other text's paragraphs j1 … j2 - 1 (one, or
    several when a paragraph was split or printed over lines), in order in both texts."""
    postings: dict[str, list[int]] = {}
    sizes = {}
    for i in range(a1, a2):
        grams = _grams(base[i])
        sizes[i] = len(grams)
        for gram in grams:
            postings.setdefault(gram, []).append(i)
    best = []  # (j, i) of each paragraph of the other text that has a likeness
    for j in range(b1, b2):
        shared, counted = {}, 0
        for gram in _grams(other[j]):
            found = postings.get(gram, ())
            if len(found) > RARE:
                continue  # a pair of characters most paragraphs have says nothing
            counted += 1
            for i in found:
                shared[i] = shared.get(i, 0) + 1
        if shared and counted:
            # Most pairs shared; then the paragraph they are most of (a title's line is more of the
            # title than of the opening that quotes it); then the nearer one.
            i = max(shared, key=lambda i: (shared[i], shared[i] / sizes[i], -abs(i - a1 - (j - b1))))
            if shared[i] >= ALIKE * counted:
                best.append((j, i))
    # The longest chain in order in both texts (several of the other's paragraphs may share one i).
    tails, previous, ends = [], {}, []
    for position, (_j, i) in enumerate(best):
        k = bisect_right(tails, i)
        previous[position] = ends[k - 1] if k else None
        if k == len(tails):
            tails.append(i)
            ends.append(position)
        else:
            tails[k], ends[k] = i, position
    chain, position = [], ends[-1] if ends else None
    while position is not None:
        chain.append(best[position])
        position = previous[position]
    pairs = []
    for j, i in reversed(chain):
        if pairs and pairs[-1][0] == i:
            pairs[-1] = (i, pairs[-1][1], j + 1)
        else:
            pairs.append((i, j, j + 1))
    return pairs


def _starts(paragraphs):
    starts, offset = [], 0
    for paragraph in paragraphs:
        starts.append(offset)
        offset += len(paragraph) + 1
    return starts
