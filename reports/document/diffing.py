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
    removed ones where they stood (kind kept, every segment a deletion)."""
    old_texts, new_texts = [p["text"] for p in old], [p["text"] for p in new]
    result = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old_texts, new_texts, autojunk=False).get_opcodes():
        if op == "equal":
            result += [{**p, "segments": [(EQUAL, p["text"])], "changed": False} for p in new[b1:b2]]
            continue
        pairs = min(a2 - a1, b2 - b1) if op == "replace" else 0
        for offset in range(pairs):
            before, after = old[a1 + offset], new[b1 + offset]
            result.append({**after, "segments": diff_text(before["text"], after["text"]), "changed": True})
        result += [{**p, "segments": [(DELETE, p["text"])], "changed": True, "removed": True} for p in old[a1 + pairs:a2]]
        result += [{**p, "segments": [(INSERT, p["text"])], "changed": True} for p in new[b1 + pairs:b2]]
    return result
