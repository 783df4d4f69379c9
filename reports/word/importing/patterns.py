"""The text patterns of a report, matched on a folded copy of the text.

`fold` maps every character to its NFKC form when that is one character (（ → (, ： → :,
１ → 1, ＊ → *), so one pattern serves full- and half-width writing alike; it never changes
the length, so a match's offsets are offsets into the original text, which is what is stored.
"""

import re
import unicodedata


class _FoldTable(dict):
    """str.translate table filled on first use: NFKC per character, when it stays one character."""

    def __missing__(self, code):
        folded = unicodedata.normalize("NFKC", chr(code))
        # ① would become a bare 1 and no longer read as an ordinal: enclosed numbers stay.
        enclosed = 0x2460 <= code <= 0x24FF
        self[code] = ord(folded) if len(folded) == 1 and not enclosed else code
        return self[code]


_FOLD = _FoldTable()


def fold(text: str) -> str:
    return text.translate(_FOLD)


CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN = "[一二三四五六七八九十]{1,3}"


def cn_int(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 九十九 → 99; anything else (一一, 十十) → None."""
    if text in CN_DIGITS:
        return CN_DIGITS[text]
    tens, ten, ones = text.partition("十")
    if not ten or (tens and tens not in CN_DIGITS) or (ones and ones not in CN_DIGITS):
        return None
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)


# Ordinals at the start of a paragraph (folded text). Level 3 is not "1.5亿".
LEVEL1_RE = re.compile(rf"\s*({CN})\s*[、.,](?!\d)\s*")
# ㈠ ㈡ (PARENTHESIZED IDEOGRAPH) are （一）（二） in one character.
LEVEL2_RE = re.compile(rf"\s*(?:\(\s*({CN})\s*\)|([㈠-㈩]))\s*")
# ⒈ ⒉ (DIGIT FULL STOP, as Word's decimalEnclosedFullstop prints them) are 1. 2. in one character.
LEVEL3_RE = re.compile(r"\s*(?:(\d{1,2})\s*(?:、|\.(?!\d))|([⒈-⒛]))\s*")
LEVEL4_RE = re.compile(r"\s*(?:\(\s*(\d{1,2})\s*\)|([①-⑳⑴-⒇]))\s*")

# 一是, 二是 … only at the start or after a sentence boundary (统一是 is no item). The
# sequence is checked by the caller.
BOUNDARY = "。;!?:"
SHI_RE = re.compile(rf"(?:^|(?<=[{BOUNDARY}])|(?<=[。!?][”’」』\"']))\s*({CN})是")
SHI_ORDINAL_RE = re.compile(rf"\s*({CN})是")

# The 附件说明 after the body (GB/T 9704 7.3.4): 附件：1.名称, or 附件：名称 for a single file.
ATTACHMENTS_RE = re.compile(r"\s*附\s*件\s*:\s*")

# A heading's own title ends at its first full stop (or ! ?); the rest of the paragraph runs in.
TITLE_END_RE = re.compile(r"[。!?]")
TITLE_BEFORE_ITEMS_RE = re.compile(r":(?=\s*一是)")

# Line ends after which a line break is a paragraph break, not a wrapped line.
SENTENCE_END = set("。!?;:…")
CLOSING_QUOTES = "”’」』\"')）》"
# Characters that no title, signature or addressee line has.
CLAUSE_PUNCTUATION = set(",。;:!?")

DATE_RE = re.compile(r"\(?\s*(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[.\-/](\d{1,2})[.\-/](\d{1,2}))\s*\)?")
CN_DATE_RE = re.compile(rf"\(?\s*([〇零一二三四五六七八九]{{4}})\s*年\s*({CN})\s*月\s*({CN})\s*日\s*\)?")
CLOSING_RE = re.compile(r"(?:特此报告|专此报告|以上报告|特此|专此|妥否|当否|以上)[^。]{0,20}[。!]?")
# The period a report is about, from its title or opening: 2023年第一季度, 2023年一季度, 2023年第1季度.
PERIOD_RE = re.compile(r"(\d{4})\s*年\s*(?:第\s*)?([一二三四1-4])\s*季度")
# An opening names the report it introduces: 现将……报告如下.
TITLE_IN_OPENING_RE = re.compile(r"现将(.{4,80}?报告)如下")


def attachment_number(folded: str, previous: int | None = None) -> int | None:
    """The place of a line in the 附件说明, given that of the line before (None when it was none of
    it): 附件：1.名称 is 1, 附件：名称 0; 2.名称 right after 1 is 2, and so on. None for any other line."""
    label = ATTACHMENTS_RE.match(folded)
    if label:
        number = LEVEL3_RE.match(folded, label.end())
        return 1 if number and level3_number(number) == 1 else 0
    number = LEVEL3_RE.match(folded)
    if previous and number and level3_number(number) == previous + 1:
        return previous + 1
    return None


def heading_number(match: re.Match) -> int | None:
    """The number of a LEVEL1_RE or LEVEL2_RE match: 2 for 二、, （二） and ㈡."""
    if match[1]:
        return cn_int(match[1])
    return ord(match[2]) - ord("㈠") + 1


def level3_number(match: re.Match) -> int:
    """The number of a LEVEL3_RE match: 3 for "3." and for "⒊"."""
    return int(match[1]) if match[1] else ord(match[2]) - ord("⒈") + 1


def ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence (folded text): 。 ! ? ; : …, perhaps before a closing quote."""
    stripped = text.rstrip().rstrip(CLOSING_QUOTES)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def parse_date(folded: str) -> str | None:
    """'2023年4月10日', '二〇二三年四月十日', '2023.4.10' (the whole line) → 'YYYY-MM-DD', or None."""
    from datetime import date

    text = folded.strip()
    match = DATE_RE.fullmatch(text)
    if match:
        year, month, day = int(match[1]), int(match[2] or match[4]), int(match[3] or match[5])
    else:
        match = CN_DATE_RE.fullmatch(text)
        if not match:
            return None
        year = int("".join(str("〇一二三四五六七八九".index(c) if c != "零" else 0) for c in match[1]))
        month, day = cn_int(match[2]), cn_int(match[3])
        if month is None or day is None:
            return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None
