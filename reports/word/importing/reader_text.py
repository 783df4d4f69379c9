"""Plain text (pasted, or a .txt file) → blocks."""

from reports.document.text import clean_text
from reports.word.importing.blocks import Block, text_blocks
from reports.word.importing.errors import NOT_TEXT, ImportRefused


def decode_text(data: bytes) -> str:
    """A .txt file's bytes → text. UTF-8 only (a BOM is allowed): guessing another encoding
    would turn a wrong file into plausible-looking garbage instead of a clear refusal."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(NOT_TEXT, "encoding") from None


def read_text(text: str) -> list[Block]:
    cleaned, _removed = clean_text(text, multiline=True)
    return text_blocks(cleaned)
