"""Counts in the text become measures: "召开学习会议*次" → a measure 学习会议 (次) and a token.

A count is Arabic digits or a placeholder, perhaps 余/多, then a unit. Chinese numerals are
never counts: in these reports they belong to fixed phrases (两个确立, 十四届一次会议, 三会一课).
The name is the noun phrase before the count, back to punctuation or to the verb that
governs it (召开, 开展 …); in "包括**件提案" the noun comes after the unit instead.
"""

import re
from dataclasses import dataclass

from reports.document.units import COUNT_UNIT_PATTERN
from reports.drafting.checks import PLACEHOLDER_RE
from reports.drafting.structure import NAMED_TOKEN_RE
from reports.word.importing.patterns import fold

COUNT_RE = re.compile(
    rf"""
    (?P<value>
        (?<![\d.第])\d+(?:\.\d+)?          # 3, 26, 2.5 (not 第3次: an ordinal)
      | (?<!\*)\*{{1,3}}                   # *, **, ***
      | (?<![A-Za-z])(?:x{{1,3}}|X{{1,3}})   # x, XX (a letter before it makes a Latin word)
      | ×{{1,3}}
      | 未填写                             # how our own export prints a count not yet known
    )
    (?P<approx>余|多)?
    (?P<unit>{COUNT_UNIT_PATTERN})  # the units of the check panel's count placeholders too
    """,
    re.VERBOSE,
)

# Where a name stops, looking back from the count: punctuation, digits, blanks and tokens.
NAME_STOP = set(",.;:!?()[]{}<>\"'“”‘’《》〈〉【】「」『』、。—…·/\\|*×#%~ \t\n0123456789")
# Verbs (and a few connectives) that govern the count's noun; the name starts after the
# last of them. Single characters are left out: they hide inside nouns (计 in 计划).
VERBS = (
    "召开", "开展", "组织", "举办", "举行", "安排", "完成", "形成", "包括", "共计", "合计", "累计", "印发",
    "制定", "出台", "参加", "参与", "接待", "收到", "提交", "报送", "撰写", "编发", "发布", "推送", "办理",
    "处理", "受理", "查处", "走访", "慰问", "进行", "达到", "其中", "分别", "先后", "给予", "作出", "提出",
    "征集", "审议", "讲授", "投入", "发放", "拨付", "筹集", "发现", "解决",
)
VERB_RE = re.compile("|".join(sorted(map(re.escape, VERBS), key=len, reverse=True)))
LEADING_PARTICLES = "了的并又还和与及共"
# "市政协党组理论学习中心组学习会议" is the 理论学习中心组学习会议 of any body.
BODY_PREFIX_RE = re.compile(r"^.{0,10}?(?:党组|党委|党总支|党支部)(?:\(扩大\))?")
NAME_MAX = 20
AFTER_UNIT_MAX = 10


@dataclass
class FoundMeasure:
    name: str
    unit: str
    value: int | float | None


def _value(text):
    if not text[0].isdigit():
        return None
    number = float(text)
    return int(number) if number.is_integer() else number


def _clean_name(phrase):
    # The name starts after the last verb that governs the count (召开…, 开展…).
    verbs = list(VERB_RE.finditer(phrase))
    if verbs:
        phrase = phrase[verbs[-1].end():]
    phrase = phrase.lstrip(LEADING_PARTICLES)
    body = BODY_PREFIX_RE.match(phrase)
    if body and len(phrase) - body.end() >= 4:
        phrase = phrase[body.end():]
    if len(phrase) > NAME_MAX:
        cut = phrase.rfind("的")
        phrase = phrase[cut + 1:] if 0 <= cut < len(phrase) - 2 else phrase[-NAME_MAX:]
    return phrase


def name_before(original: str, folded: str, start: int) -> str:
    begin = start
    while begin > 0 and folded[begin - 1] not in NAME_STOP:
        begin -= 1
    return _clean_name(original[begin:start])


def name_after(original: str, folded: str, end: int) -> str:
    """The noun after the unit, for "包括**件提案的": up to punctuation, 的 or a verb."""
    stop = end
    while stop < len(folded) and stop - end < AFTER_UNIT_MAX and folded[stop] not in NAME_STOP and folded[stop] != "的":
        stop += 1
    noun = original[end:stop]
    verb = VERB_RE.search(noun)
    return noun[: verb.start()] if verb else noun


class MeasureCatalogue:
    """The measures of one import, by (name, unit): the same count named twice is one measure."""

    def __init__(self):
        self.measures = []
        self._by_key = {}

    def add(self, name, unit, value):
        key = (name, unit)
        found = self._by_key.get(key)
        if found is None:
            if any(measure.name == name for measure in self.measures):
                # Tokens name a measure by name alone: 会议 in 次 and in 场 need two names.
                name = f"{name}（{unit}）"
            found = self._by_key[key] = FoundMeasure(name, unit, value)
            self.measures.append(found)
        elif found.value is None:
            found.value = value
        return found

    def tokenise(self, text):
        """Replace each count in `text` by its named token; returns the new text."""
        if not text:
            return text
        folded = fold(text)
        out, position = [], 0
        for match in COUNT_RE.finditer(folded):
            # "100余条" is an approximate count: the qualifier stays with its unit, so that the
            # report still prints "100余条" (a token prints value and unit, nothing between).
            unit = (match["approx"] or "") + match["unit"]
            name = name_before(text, folded, match.start())
            if len(name) < 2:
                name = name_after(text, folded, match.end()) or name
            if not name:
                name = f"统计数{len(self.measures) + 1}"
            measure = self.add(name, unit, _value(match["value"]))
            out.append(text[position: match.start()])
            out.append(f"{{{{measure:{measure.name}}}}}")
            position = match.end()
        out.append(text[position:])
        return "".join(out)


CONTEXT = 8
CONTEXT_STOP = set("，。；：！？、,;:!?\n｛｝")


def placeholders_in(text: str | None) -> list[str]:
    """Blanks still to fill (redacted names: 《**廉洁自律规范》), each with a little context.

    Counts are measures already, whatever their value; they show as ｛名称｝, as in the editor."""
    if not text:
        return []
    text = NAMED_TOKEN_RE.sub(lambda match: f"｛{match[1]}｝", text)
    found = []
    for match in PLACEHOLDER_RE.finditer(text):
        begin = match.start()
        while begin > 0 and match.start() - begin < CONTEXT and text[begin - 1] not in CONTEXT_STOP:
            begin -= 1
        end = match.end()
        while end < len(text) and end - match.end() < CONTEXT and text[end] not in CONTEXT_STOP:
            end += 1
        found.append(text[begin:end])
    return found
