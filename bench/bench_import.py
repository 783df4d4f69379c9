"""How long the importer takes on a long report: a ~50-page .docx generated here.

Not a test (timings vary by machine); run it by hand:

    .venv/bin/python bench/bench_import.py

The issue's target is under a second for 50 pages.
"""

import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from docx import Document  # noqa: E402

from reports.document.numbering import chinese_number  # noqa: E402
from reports.word.importing import parse_docx  # noqa: E402

CHARS_PER_PAGE = 22 * 28  # GB/T 9704: 22 lines of 28 characters
PAGES = 50
SENTENCE = ("坚持把学习贯彻党的二十大精神作为首要政治任务，召开{what}{n}次，"
            "深刻领悟“两个确立”的决定性意义，增强“四个意识”、坚定“四个自信”、做到“两个维护”。")
WHAT = ["理论学习中心组学习会议", "专题党课", "警示教育会", "谈心谈话会", "督导检查", "主题党日活动"]


def long_report():
    """Title, opening, three sections; the first with run-in headings and inline items, soft
    breaks and a table, until the text fills PAGES pages."""
    word = Document()
    word.add_paragraph("市政协党组2023年第一季度履行全面从严治党主体责任情况报告")
    word.add_paragraph("按要求，现将市政协党组2023年第一季度履行全面从严治党主体责任情况报告如下。")
    word.add_paragraph("一、主要做法")
    chars, heading = 0, 0
    while chars < (PAGES - 4) * CHARS_PER_PAGE:
        heading += 1
        items = "".join(
            f"{chinese_number(i)}是{SENTENCE.format(what=WHAT[(heading + i) % len(WHAT)], n=heading + i)}" for i in range(1, 6)
        )
        paragraph = word.add_paragraph(f"（{chinese_number(heading)}）深化理论学习，把准正确方向。")
        run = paragraph.add_run(items[:200])
        run.add_break()  # a soft line break in the middle of the text
        run.add_text(items[200:])
        chars += len(paragraph.text)
        if heading % 10 == 0:
            word.add_table(rows=1, cols=1).cell(0, 0).text = SENTENCE.format(what=WHAT[0], n=heading)
    word.add_paragraph("二、存在的主要问题")
    word.add_paragraph("".join(f"{chinese_number(i)}是{SENTENCE.format(what=WHAT[i], n=i)}" for i in range(1, 4)))
    word.add_paragraph("三、下一步的打算")
    for i in range(1, 6):
        word.add_paragraph(f"{i}.{SENTENCE.format(what=WHAT[i], n=i)}")
    word.add_paragraph("市政协党组")
    word.add_paragraph("2023年4月10日")
    stream = io.BytesIO()
    word.save(stream)
    return stream.getvalue(), heading


def main():
    data, headings = long_report()
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        parsed = parse_docx(data)
        runs.append(time.perf_counter() - start)
    characters = sum(len(i) for s in parsed.sections for h in s.headings for i in h.items)
    print(f"{PAGES} pages ({characters} characters, {headings} headings, {parsed.item_count} items, "
          f"{len(parsed.measures)} measures, {len(data) // 1024} KB .docx)")
    print(f"parse_docx: best {min(runs) * 1000:.0f} ms, median {sorted(runs)[2] * 1000:.0f} ms of {len(runs)} runs")


if __name__ == "__main__":
    main()
