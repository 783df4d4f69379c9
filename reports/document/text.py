"""Cleaning what users type: the one place that decides which characters may be stored, and so
which may go into a Word file.

Control characters, lone surrogates and non-characters cannot be written into a Word file
(its XML forbids them) and never carry meaning in a report, so they are removed, not refused:
a drafter pasting from a PDF should not have to hunt for an invisible character. The Word writer
removes the same characters from text that came in another way (a data load, a management
command), so such a text prints as if it had been typed in the editor.
"""

import re
import unicodedata

# What XML 1.0 cannot hold (a Word file with one of these does not open): C0 controls but tab,
# newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
_XML_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
# What prints as nothing: zero-width spaces and joiners, the left-to-right and right-to-left
# marks, the word joiner and the invisible operators, the soft hyphen, the Hangul fillers (letters
# by their category, blank on the page), byte-order marks, and the other invisible format
# characters pasted from web pages. Removed, a text made only of them is empty, so a required
# title, name or reason made of them is refused as missing, not stored as a blank.
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2060-\u2064\u206a-\u206f"
    "\u3164\ufeff\uffa0\ufff9-\ufffb"
)
# Those, and what XML allows but a report never means: DEL and the C1 controls, the other
# non-characters, and bidirectional overrides (they can make text read differently than it prints).
_FORBIDDEN = re.compile(f"[{_XML_FORBIDDEN}{_INVISIBLE}\x7f-\x9f\ufdd0-\ufdef\u202a-\u202e\u2066-\u2069]")
_LINE_ENDINGS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n+")


def clean_text(value: object, *, multiline: bool = True) -> tuple[str, int]:
    """Normalise what was typed or pasted: NFC, one kind of line break, no forbidden characters.

    Returns (text, removed) where `removed` counts the characters taken out, so the page can say so.
    """
    if value is None:
        return "", 0
    value = unicodedata.normalize("NFC", str(value))
    value = one_kind_of_line_break(value)
    cleaned, removed = _FORBIDDEN.subn("", value)
    if multiline:
        cleaned = _BLANK_LINES.sub("\n", cleaned)
    else:
        cleaned = cleaned.replace("\n", "").replace("\t", " ")
    return cleaned.strip(), removed


def one_kind_of_line_break(value: str) -> str:
    """`value` with every line break as one \\n: what a browser counts (a form post sends \\r\\n),
    so that a length limit is the same number on the page and on the server."""
    return _LINE_ENDINGS.sub("\n", value)


def without_forbidden(text: str) -> str:
    """`text` without the characters clean_text removes, and nothing else changed (the Word
    writer's guard for text that did not come through the editor)."""
    return _FORBIDDEN.sub("", text)


def folded(text: str) -> str:
    """A text's words for comparing two wordings: no numbering, punctuation or spacing, one form
    of each character (ＡＢＣ is ABC)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def alike(a: str, b: str, ratio: float) -> bool:
    """The same words, or nearly (difflib's ratio of the folded texts at least `ratio`)."""
    from difflib import SequenceMatcher

    a, b = folded(a), folded(b)
    return bool(a and b) and (a == b or SequenceMatcher(None, a, b, autojunk=False).ratio() >= ratio)


# What a sentence or clause may end with, taken off when it is quoted or joined into another.
FINAL_PUNCTUATION = "。．.；;，,、 "


def clause(text: str) -> str:
    """`text` on one line, without its final punctuation: ready to quote (“…”) or join with “，”."""
    return "".join(line.strip() for line in text.splitlines()).strip().rstrip(FINAL_PUNCTUATION)


def shortened(text: str, length: int) -> str:
    """The text cut at `length` characters with "…", so that a reader knows it goes on."""
    return text if len(text) <= length else text[:length] + "…"


def decode_text(data: bytes) -> str | None:
    """A text file's bytes as text: UTF-8 (with or without its byte-order mark), else GB18030, as
    Excel and Notepad in Chinese save them; None when neither reads it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
