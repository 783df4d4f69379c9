import pytest

from reports.document.numbering import chinese_number, heading_ordinal, item_ordinal, section_ordinal


@pytest.mark.parametrize(
    "n, expected",
    [
        (1, "一"), (2, "二"), (9, "九"), (10, "十"), (11, "十一"), (15, "十五"), (19, "十九"),
        (20, "二十"), (21, "二十一"), (30, "三十"), (48, "四十八"), (99, "九十九"),
        (100, "一百"), (101, "一百零一"), (110, "一百一十"), (119, "一百一十九"), (120, "一百二十"),
        (999, "九百九十九"), (1000, "一千"), (1005, "一千零五"), (1010, "一千零一十"), (2023, "二千零二十三"),
        # Past what a report holds (MAX_REPORT_PARTS), still a numeral: an ordinal never fails a page.
        (9999, "九千九百九十九"), (10000, "一万"), (10001, "一万零一"), (10010, "一万零一十"), (10100, "一万零一百"),
        (12345, "一万二千三百四十五"), (100000, "十万"), (100100, "十万零一百"), (110000, "十一万"),
        (99_999_999, "九千九百九十九万九千九百九十九"),
    ],
)
def test_chinese_numbers(n, expected):
    assert chinese_number(n) == expected


def test_every_number_from_1_to_99_is_distinct_and_well_formed():
    seen = {chinese_number(n) for n in range(1, 100)}
    assert len(seen) == 99
    assert all(not text.startswith("一十") and "零" not in text for text in seen)


def test_ordinals_of_each_level():
    assert [section_ordinal(i) for i in (1, 2, 3)] == ["一、", "二、", "三、"]
    assert [heading_ordinal(i) for i in (1, 4, 12)] == ["（一）", "（四）", "（十二）"]
    assert [item_ordinal(i) for i in (1, 6, 10, 11)] == ["一是", "六是", "十是", "十一是"]


def test_every_count_a_report_can_hold_has_its_ordinals():
    from reports.document.numbering import MAX_REPORT_PARTS

    numerals = [chinese_number(n) for n in range(1, MAX_REPORT_PARTS + 1)]
    assert len(set(numerals)) == MAX_REPORT_PARTS
    assert item_ordinal(MAX_REPORT_PARTS) == "二千是"


@pytest.mark.parametrize("bad", [0, -1, 100_000_000, 1.5, "3"])
def test_out_of_range_is_an_error_not_a_wrong_numeral(bad):
    with pytest.raises(ValueError):
        chinese_number(bad)
