"""Word's automatic numbering (numbering.xml): the "一、" or "（一）" that is not in the text.

A paragraph names a list instance (`numId`) and a level (`ilvl`); the instance points at an
abstract definition whose level gives the format (chineseCounting, decimal …), the text
around it (`%1、`, `（%1）`), and the start; an instance may override the start or a level.
Counters run per abstract definition, as Word numbers them, and a deeper level restarts when a
shallower one advances.
"""

from dataclasses import dataclass

from reports.document.numbering import chinese_number

LEVELS = 9
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
IDEOGRAPH_DIGITS = "〇一二三四五六七八九"
LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
         (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


@dataclass
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    legal: bool = False  # isLgl: every number in the text in Arabic digits


def _roman(n):
    out = ""
    for value, letters in ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    if n < 1:
        return str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "koreanCounting") and n <= 9999:
        return chinese_number(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(IDEOGRAPH_DIGITS[int(d)] for d in str(n))
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional"):
        return "".join(LEGAL_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return HEAVENLY_STEMS[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return EARTHLY_BRANCHES[(n - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and n <= 20:
        return chr(0x2488 + n - 1)
    if fmt == "ideographEnclosedCircle" and n <= 10:
        return chr(0x3280 + n - 1)  # ㊀
    if fmt == "numberInDash":
        return f"- {n} -"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))  # １２, as Word prints it
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt in ("none", "bullet"):
        return ""
    return str(n)  # decimal, decimalFullWidth … and anything unknown


class Numbering:
    def __init__(self, root, w):
        self.abstract, self.instances = {}, {}
        self.counters, self.started = {}, set()
        if root is None:
            return
        for abstract in root.iter(f"{w}abstractNum"):
            self.abstract[abstract.get(f"{w}abstractNumId")] = {
                level.get(f"{w}ilvl"): self._level(level, w) for level in abstract.iter(f"{w}lvl")
            }
        for num in root.iter(f"{w}num"):
            abstract_id = num.find(f"{w}abstractNumId")
            overrides = {}
            for override in num.iter(f"{w}lvlOverride"):
                start = override.find(f"{w}startOverride")
                level = override.find(f"{w}lvl")
                overrides[override.get(f"{w}ilvl")] = (
                    _int(start.get(f"{w}val"), 1) if start is not None else None,
                    self._level(level, w) if level is not None else None,
                )
            self.instances[num.get(f"{w}numId")] = (
                abstract_id.get(f"{w}val") if abstract_id is not None else None, overrides
            )

    @staticmethod
    def _level(element, w):
        def val(tag, default):
            child = element.find(f"{w}{tag}")
            return child.get(f"{w}val", default) if child is not None else default

        return Level(
            fmt=val("numFmt", "decimal"),
            text=val("lvlText", "%1."),
            start=_int(val("start", "1"), 1),
            legal=element.find(f"{w}isLgl") is not None,
        )

    def _levels(self, num_id):
        abstract_id, overrides = self.instances.get(num_id, (None, {}))
        levels = dict(self.abstract.get(abstract_id, {}))
        for ilvl, (_start, level) in overrides.items():
            if level is not None:
                levels[ilvl] = level
        return abstract_id, levels, overrides

    def label(self, num_id, ilvl):
        """The number Word shows for the next paragraph of list `num_id` at level `ilvl`:
        (text, is_bullet). Advances the counters, so call it once per paragraph, in order."""
        if num_id in (None, "0") or num_id not in self.instances:
            return "", False
        abstract_id, levels, overrides = self._levels(num_id)
        ilvl = ilvl or "0"
        level = levels.get(ilvl)
        if level is None:
            return "", False
        counters = self.counters.setdefault(abstract_id, [None] * LEVELS)
        depth = min(_int(ilvl, 0), LEVELS - 1)
        if (num_id, ilvl) not in self.started:
            self.started.add((num_id, ilvl))
            start = overrides.get(ilvl, (None, None))[0]
            if start is not None:
                counters[depth] = start - 1
        if counters[depth] is None:
            counters[depth] = level.start - 1
        counters[depth] += 1
        for deeper in range(depth + 1, LEVELS):
            counters[deeper] = None
        if level.fmt == "bullet":
            return "", True

        def number(k):
            shown = levels.get(str(k))
            count = counters[k] if counters[k] is not None else (shown.start if shown else 1)
            fmt = "decimal" if level.legal else (shown.fmt if shown else "decimal")
            return format_number(count, fmt)

        text = level.text
        for k in range(LEVELS - 1, -1, -1):
            placeholder = f"%{k + 1}"
            if placeholder in text:
                text = text.replace(placeholder, number(k))
        return text, False


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
