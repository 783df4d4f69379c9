"""Cleaning what users type: the one place that decides which characters may be stored.

Control characters, lone surrogates and non-characters cannot be written into a Word file
(its XML forbids them) and never carry meaning in a report, so they are removed, not refused:
a drafter pasting from a PDF should not have to hunt for an invisible character.
"""

import re
import unicodedata

# C0 controls except tab/newline, DEL, C1 controls, lone surrogates, U+FFFE/U+FFFF and the
# other non-characters, bidirectional overrides (they can make text read differently than it
# prints), and zero-width spaces pasted from web pages.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069\u200b\ufeff]"
)
_LINE_ENDINGS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n+")


def clean_text(value, *, multiline=True):
    """Normalise what was typed or pasted: NFC, one kind of line break, no forbidden characters.

    Returns (text, removed) where `removed` counts the characters taken out, so the page can say so.
    """
    if value is None:
        return "", 0
    value = unicodedata.normalize("NFC", str(value))
    value = _LINE_ENDINGS.sub("\n", value)
    cleaned, removed = _FORBIDDEN.subn("", value)
    if multiline:
        cleaned = _BLANK_LINES.sub("\n", cleaned)
    else:
        cleaned = cleaned.replace("\n", "").replace("\t", " ")
    return cleaned.strip(), removed
