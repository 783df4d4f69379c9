"""Ordinals computed from position: the one place that numbers a report.

Used by the HTML preview and the Word writer alike, so they cannot disagree.
`index` is 1-based: the first section is 一、, the first heading （一）, the first item 一是.
"""

DIGITS = "零一二三四五六七八九"

# The most parts (sections, headings and items together) a report holds. Far more than any real
# report (a few dozen to a few hundred), and few enough that the editor and the Word writer handle
# the largest in good time; inputs that would make more (an import) are refused.
MAX_REPORT_PARTS = 2000


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 99 → 九十九, 100 → 一百, 105 → 一百零五, 10001 → 一万零一."""
    if not isinstance(n, int) or n < 1 or n > 99_999_999:
        raise ValueError(f"chinese_number takes 1..99999999, not {n!r}")
    if n >= 10000:
        # Far past what a report holds (MAX_REPORT_PARTS): an ordinal must never be what fails a page.
        rest = n % 10000
        text = chinese_number(n // 10000) + "万"
        if rest == 0:
            return text
        if rest < 1000:
            return text + "零" + (("一" + chinese_number(rest)) if 10 <= rest < 20 else chinese_number(rest))
        return text + chinese_number(rest)
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return DIGITS[n // 10] + "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        text = DIGITS[n // 100] + "百"
        if rest == 0:
            return text
        if rest < 10:
            return text + "零" + DIGITS[rest]
        # 110 is 一百一十, not 一百十.
        return text + (("一" + chinese_number(rest)) if rest < 20 else chinese_number(rest))
    rest = n % 1000
    text = DIGITS[n // 1000] + "千"
    if rest == 0:
        return text
    if rest < 100:
        return text + "零" + (("一" + chinese_number(rest)) if 10 <= rest < 20 else chinese_number(rest))
    return text + chinese_number(rest)


def section_ordinal(index: int) -> str:
    """Level 1: 一、"""
    return f"{chinese_number(index)}、"


def heading_ordinal(index: int) -> str:
    """Level 2: （一）"""
    return f"（{chinese_number(index)}）"


def item_ordinal(index: int) -> str:
    """Items inside running text: 一是"""
    return f"{chinese_number(index)}是"
