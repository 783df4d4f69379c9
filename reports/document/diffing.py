"""What changed between two versions of a text: paragraphs matched in order, then characters.

Chinese has no spaces, so words cannot be the unit: changed paragraphs are compared character
by character, which marks 二是 → 三是 or 3次 → 5次 exactly.
"""

from difflib import SequenceMatcher

EQUAL, INSERT, DELETE = "equal", "insert", "delete"


def diff_text(old: str, new: str) -> list[tuple[str, str]]:
    """[(op, text)] turning `old` into `new`; a replaced run is a deletion then an insertion."""
    segments = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append((EQUAL, old[a1:a2]))
        if op in ("delete", "replace"):
            segments.append((DELETE, old[a1:a2]))
        if op in ("insert", "replace"):
            segments.append((INSERT, new[b1:b2]))
    return segments


def diff_paragraphs(old: list[dict], new: list[dict]) -> list[dict]:
    """Compare two lists of snapshot paragraphs ({"kind", "ref", "text"}).

    Returns the new document's paragraphs, each with `segments` and `changed`, and the
    removed ones where they stood (kind kept, every segment a deletion). A changed paragraph
    matched with one of the old list has it as `before` (a new one has none), for a caller
    that compares more than the text (the 审阅稿 keeps each character's typeface)."""
    old_texts, new_texts = [p["text"] for p in old], [p["text"] for p in new]
    result = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old_texts, new_texts, autojunk=False).get_opcodes():
        if op == "equal":
            result += [{**p, "segments": [(EQUAL, p["text"])], "changed": False} for p in new[b1:b2]]
            continue
        for i, j in _aligned(old_texts[a1:a2], new_texts[b1:b2]):
            if i is not None and j is not None:
                before, after = old[a1 + i], new[b1 + j]
                result.append({**after, "segments": diff_text(before["text"], after["text"]), "changed": True,
                               "before": before})
            elif i is not None:
                result.append({**old[a1 + i], "segments": [(DELETE, old[a1 + i]["text"])], "changed": True, "removed": True})
            else:
                result.append({**new[b1 + j], "segments": [(INSERT, new[b1 + j]["text"])], "changed": True})
    return result


# Paragraphs of a changed stretch are paired by likeness: a deleted item then shows as one removed
# paragraph, not as edits of every item after it (whose ordinals moved up: 三是 → 二是).
SIMILAR = 0.5
MAX_PAIRINGS = 400  # likeness computed for at most this many pairs; a longer rewrite pairs in order


def _aligned(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """(old index, new index) in print order: a pair for a changed paragraph, (i, None) for one
    removed, (None, j) for one inserted. Stretches of equal length pair in order, as do long ones."""
    a, b = len(old), len(new)
    if a == b or a * b > MAX_PAIRINGS or not a or not b:
        pairs = min(a, b)
        return ([(k, k) for k in range(pairs)] + [(i, None) for i in range(pairs, a)]
                + [(None, j) for j in range(pairs, b)])

    def likeness(i, j):
        matcher = SequenceMatcher(None, old[i], new[j], autojunk=False)
        return matcher.ratio() if matcher.quick_ratio() >= SIMILAR else 0.0

    like = [[likeness(i, j) for j in range(b)] for i in range(a)]
    best = [[0.0] * (b + 1) for _ in range(a + 1)]
    for i in range(a - 1, -1, -1):
        for j in range(b - 1, -1, -1):
            paired = best[i + 1][j + 1] + like[i][j] if like[i][j] >= SIMILAR else -1.0
            best[i][j] = max(paired, best[i + 1][j], best[i][j + 1])
    aligned, i, j = [], 0, 0
    while i < a and j < b:
        if like[i][j] >= SIMILAR and best[i][j] == best[i + 1][j + 1] + like[i][j]:
            aligned.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            aligned.append((i, None))
            i += 1
        else:
            aligned.append((None, j))
            j += 1
    return aligned + [(k, None) for k in range(i, a)] + [(None, k) for k in range(j, b)]
