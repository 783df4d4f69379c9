"""A realistic data set for load tests and benchmarks: `manage.py generate_load_data --bodies 300 --years 3`.

What it makes (deterministic from --seed):
  * a supervising tree: one root (江北省纪委监委), one supervising body per 30 reporting bodies
    (派驻纪检监察组), and the reporting bodies below them (市发展改革委党组, …); with --levels 4 or 5,
    levels of 市/县 纪委监委 in between, balanced as a province is (level_sizes: 3,000 bodies in
    4 levels are 5 cities, 22 counties, 100 groups);
  * per body a drafter and a reviewer (every fifth body a second drafter); per supervising body an
    overseer; `load-overseer` oversees them all (300 bodies on the board);
  * one report per body and quarter (≈ 3,600 for 300 bodies × 3 years), three sections, 4–6
    headings, ≈ 28 items each (≈ 100,000 items), Chinese text built from phrase lists, measures with
    values, and the workflow history: submissions (with their frozen snapshots), events, review
    comments, reminders, and the django-simple-history "created" records of every part.
    Older quarters are all approved (some after a return); the last two quarters still have
    submitted, returned and draft reports, and a few bodies have not started the last one.
    About one body in twelve reports late every quarter.

Everything is written with bulk_create, in one transaction per batch of bodies, so that 300 bodies
take a minute or two on SQLite. Randomness comes from one generator per (seed, body, quarter),
so a body's reports do not depend on how many bodies are generated.

The users share one known password (printed at the end): the command refuses to run when DEBUG
is off unless --force is given.
"""

import calendar
import json
import multiprocessing
import os
import random
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, models, transaction
from django.utils import timezone

from reports import tree
from reports.document.model import compose_document
from reports.document.tokens import MeasureInfo, format_value, token
from reports.labels import QUARTER_NUMBERS, period_text
from reports.models import (
    Comment,
    DueDate,
    Heading,
    Item,
    Measure,
    MeasureValue,
    Membership,
    Organization,
    Reminder,
    Report,
    ReportEvent,
    Section,
    Submission,
    record_first_submissions,
)
from reports.tracking import tallies

PASSWORD = "jibao-load-2024"
BEIJING = ZoneInfo("Asia/Shanghai")
ROOT_NAME = "江北省纪委监委"
BODIES_PER_SUPERVISOR = 30
BATCH_BODIES = 20  # bodies per transaction: ≈ 240 reports, ≈ 7,000 items

# ---- Phrase lists --------------------------------------------------------------------------------

CITIES = [
    "江州", "临川", "云阳", "青溪", "安平", "龙泉", "白河", "松原", "清远", "东兴", "南屏", "北辰",
    "西岭", "金山", "石门", "永和", "长宁", "凤台", "宁远", "嘉禾", "华容", "桃源", "广安", "昌平",
]
DEPARTMENTS = [
    "发展改革委", "教育局", "科技局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
    "人力资源社会保障局", "自然资源局", "生态环境局", "住房城乡建设局", "交通运输局", "水务局",
    "农业农村局", "商务局", "文化旅游局", "卫生健康委", "退役军人事务局", "应急管理局", "审计局",
    "市场监管局", "统计局", "医保局", "信访局", "机关事务局", "政协", "人大常委会", "法院", "检察院",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红海燕晓宁立新思远佳慧文博宇鹏"

# The measure catalogue common to all bodies: (name, unit, typical range of a quarter's value).
MEASURES = [
    ("理论学习中心组学习会议", "次", (2, 6)),
    ("集体交流研讨", "次", (1, 4)),
    ("廉政谈话", "人次", (5, 60)),
    ("专题调研", "次", (1, 8)),
    ("警示教育活动", "次", (1, 4)),
    ("意识形态分析研判会议", "次", (1, 2)),
    ("谈心谈话", "人次", (10, 120)),
    ("主题党日活动", "次", (3, 12)),
    ("党组会议研究全面从严治党工作", "次", (1, 4)),
    ("整改问题", "项", (2, 25)),
    ("党风廉政教育培训", "人次", (20, 400)),
    ("廉政风险点排查", "个", (5, 40)),
]
# Where a measure is printed in an item: the sentence that carries its token ("…召开…{{measure}}").
MEASURE_SENTENCES = {
    "理论学习中心组学习会议": "本季度共召开党组理论学习中心组学习会议{m}",
    "集体交流研讨": "组织集体交流研讨{m}",
    "廉政谈话": "党组成员与分管部门主要负责同志开展廉政谈话{m}",
    "专题调研": "围绕中心工作开展专题调研{m}",
    "警示教育活动": "组织观看警示教育片、开展警示教育活动{m}",
    "意识形态分析研判会议": "召开意识形态工作分析研判会议{m}",
    "谈心谈话": "班子成员与干部职工开展谈心谈话{m}",
    "主题党日活动": "各党支部开展主题党日活动{m}",
    "党组会议研究全面从严治党工作": "党组会议专题研究全面从严治党工作{m}",
    "整改问题": "建立问题清单，推动整改问题{m}",
    "党风廉政教育培训": "举办党风廉政教育培训，参训干部{m}",
    "廉政风险点排查": "全面排查岗位廉政风险点{m}",
}
OWN_MEASURES = [("专项督查", "次"), ("清廉机关建设观摩", "次"), ("“一把手”讲党课", "次"), ("作风建设专项检查", "次")]

PRACTICE_HEADINGS = [
    "深化理论学习，把准正确方向", "坚持党的领导，压实主体责任", "加强思想政治引领，把牢意识形态工作主动权",
    "大兴调查研究，助推高质量发展", "严明政治纪律，强化政治监督", "持之以恒纠治“四风”，推进作风建设",
    "加强基层党组织建设，夯实战斗堡垒", "强化权力运行制约，防范廉政风险", "抓好巡察整改，推动问题清仓见底",
    "锻造过硬干部队伍，激发干事创业活力", "推进清廉机关建设，涵养风清气正政治生态", "落实“一岗双责”，传导责任压力",
    "加强警示教育，筑牢拒腐防变思想防线", "健全制度体系，扎紧制度笼子", "聚焦群众急难愁盼，办好民生实事",
]
SUBJECTS = [
    "党组", "党组书记", "党组班子成员", "机关党委", "各党支部", "党组理论学习中心组", "派驻纪检监察组", "机关纪委",
    "各处室主要负责同志", "{short}机关",
]
ACTIONS = [
    "坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要政治任务",
    "严格落实中央八项规定及其实施细则精神",
    "认真贯彻落实省委、市委关于全面从严治党的部署要求",
    "严格执行重大事项请示报告制度",
    "坚持“第一议题”制度，及时跟进学习习近平总书记重要讲话和重要指示批示精神",
    "把全面从严治党工作纳入年度重点工作统筹谋划",
    "深入开展党风廉政建设和反腐败工作",
    "认真落实意识形态工作责任制",
    "扎实推进主题教育成果巩固深化",
    "持续加强对“一把手”和领导班子的监督",
    "严肃党内政治生活，严格落实“三会一课”、组织生活会等制度",
    "认真落实民主集中制，坚持重大事项集体研究决定",
    "聚焦关键岗位和重点环节加强廉政风险防控",
    "紧盯重要节点，持续纠治形式主义、官僚主义",
]
DETAILS = [
    "召开专题会议研究部署，明确责任分工和完成时限",
    "制定印发《{short}全面从严治党主体责任清单》，逐项明确党组、书记、班子成员和各党支部的责任",
    "制定《年度党风廉政建设工作要点》，将任务分解到各处室和直属单位",
    "结合工作实际细化落实措施，建立工作台账，实行销号管理",
    "组织开展“以案促改”专题教育，深入剖析身边典型案例",
    "对重点领域开展专项检查，发现问题立行立改",
    "坚持抓班子、带队伍、树正气，推动管党治党责任层层落实",
    "把政治监督融入日常，做到关口前移、抓早抓小",
    "通过集中学习、专题辅导、交流研讨等方式，推动学习往深里走、往心里走、往实里走",
    "建立健全谈心谈话、约谈提醒等制度，及时掌握干部思想动态",
    "开展节前廉政提醒，严防“四风”问题反弹回潮",
    "完善内控制度，规范财务、采购、项目管理等重点环节",
]
RESULTS = [
    "推动全面从严治党向纵深发展",
    "切实把管党治党责任扛在肩上、抓在手上、落实在行动上",
    "进一步营造了风清气正的良好政治生态",
    "确保党中央决策部署在本单位落地见效",
    "干部队伍纪律意识和规矩意识明显增强",
    "以全面从严治党新成效推动各项工作高质量发展",
    "形成了一级抓一级、层层抓落实的工作格局",
]
PROBLEMS = [
    "理论学习的深度和系统性还不够，学用结合、学以致用还有差距",
    "个别党支部落实“三会一课”制度不够严格，组织生活质量有待提升",
    "主体责任压力传导还存在层层递减现象，少数党员干部“一岗双责”意识不强",
    "对关键岗位和重点环节的监督还不够有力，廉政风险防控措施针对性不强",
    "意识形态和网络意识形态领域仍然存在风险点，需要进一步完善工作制度",
    "作风建设还有薄弱环节，文山会海问题仍有反弹",
    "干部队伍能力素质与高质量发展要求还有差距，担当作为的精气神有待提振",
    "巡察反馈问题整改还不够彻底，建章立制、长效机制建设有待加强",
    "基层党组织建设不够平衡，个别支部战斗堡垒作用发挥不充分",
]
NEXT_STEPS = [
    "坚持把学习贯彻习近平新时代中国特色社会主义思想作为首要政治任务，完善“第一议题”制度，推动理论学习走深走实",
    "进一步压紧压实全面从严治党主体责任，健全责任清单，加强督促检查，推动责任层层落实",
    "持续深化作风建设，驰而不息纠治“四风”，坚决防止形式主义、官僚主义",
    "加强对关键岗位和重点环节的监督，完善廉政风险防控机制，扎紧制度笼子",
    "抓好巡察反馈问题和本季度发现问题的整改，建立长效机制，确保问题整改到位",
    "加强基层党组织建设，提升组织生活质量，充分发挥党支部战斗堡垒作用和党员先锋模范作用",
    "深化警示教育，用好身边典型案例，筑牢党员干部拒腐防变的思想防线",
    "加强干部队伍建设，激励干部担当作为，营造干事创业的良好氛围",
]
RETURN_REASONS = [
    "请补充本季度召开党组会议研究全面从严治党工作的具体情况。",
    "存在的问题分析不够深入，请结合本单位实际具体查摆。",
    "部分统计数与台账不一致，请核实后重新报送。",
    "下一步打算要与存在的问题逐条对应，请修改完善。",
]
ITEM_REMARKS = [
    "这一条请写明具体时间和参加范围。",
    "建议补充整改措施的完成时限。",
    "此处表述过于笼统，请举例说明。",
]


# ---- Plans: what a body's report for one quarter contains (pure, from its own generator) -------------


@dataclass
class ReportPlan:
    body_index: int
    year: int
    quarter: int
    status: str  # the report's status now, or "" for a body that has not started the quarter
    items_layout: str
    headings: list  # [(title, [item texts])] of 主要做法
    problems: list  # [item text] of 存在的主要问题
    next_steps: list  # [item text] of 下一步的打算
    values: dict  # {measure name: Decimal or None}
    returned_rounds: int  # how many times the reviewer returned it before its last submission
    first_submitted: datetime | None
    approved: datetime | None
    created: datetime


def short_name(body_name):
    """江州市财政局党组 → 江州市财政局 (how the body names itself inside its report)."""
    return body_name.removesuffix("党组")


def person_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def item_text(rng, short, measure_names):
    """One 一是…… point: a subject and action, one or two details, maybe a figure, a result. About
    100–200 characters, as in real reports. A figure is written as a named token, resolved later."""
    parts = [rng.choice(SUBJECTS).format(short=short) + rng.choice(ACTIONS)]
    parts += [detail.format(short=short) for detail in rng.sample(DETAILS, rng.choice((1, 2)))]
    if measure_names and rng.random() < 0.45:
        name = rng.choice(measure_names)
        parts.append(MEASURE_SENTENCES.get(name, name + "{m}").format(m="{{measure:%s}}" % name))
    parts.append(rng.choice(RESULTS))
    return "，".join(parts) + "。"


def plan_report(seed, body_index, body_name, year, quarter, *, stage, late_body, own_measure):
    """The content and history of one report. `stage` says how far the quarter has got:
    "old" (all approved), "previous" (the quarter before last) or "last" (the most recent one)."""
    rng = random.Random(f"{seed}/{body_index}/{year}/{quarter}")
    short = short_name(body_name)
    names = [name for name, _unit, _range in MEASURES]
    used = rng.sample(names, rng.randint(6, 9)) + ([own_measure[0]] if own_measure else [])

    draw = rng.random()
    if stage == "old":
        status = "approved"
    elif stage == "previous":
        status = "approved" if draw < 0.88 else "submitted" if draw < 0.95 else "returned"
    else:
        status = ("approved" if draw < 0.55 else "submitted" if draw < 0.72 else "returned" if draw < 0.80
                  else "draft" if draw < 0.96 else "")
    returned_rounds = 1 if status == "returned" or (status in ("approved", "submitted") and rng.random() < 0.12) else 0

    headings = [
        (title, [item_text(rng, short, used) for _ in range(rng.randint(3, 5))])
        for title in rng.sample(PRACTICE_HEADINGS, rng.randint(4, 6))
    ]
    problems = [text + "。" for text in rng.sample(PROBLEMS, rng.randint(2, 4))]
    next_steps = [text + "。" for text in rng.sample(NEXT_STEPS, rng.randint(3, 5))]

    values = {}
    for name in used:
        low, high = next((r for n, _u, r in MEASURES if n == name), (1, 6))
        value = Decimal(rng.randint(low, high))
        # A draft still has figures to fill in (the check panel lists them).
        values[name] = None if status == "draft" and rng.random() < 0.3 else value

    end = quarter_end(year, quarter)
    # Drafting starts in the quarter's last month; submission a few days after the quarter ends,
    # after the due date (quarter end + JIBAO_DEFAULT_DUE_DAYS) for a late body.
    created = beijing(end - timedelta(days=rng.randint(5, 25)), rng.randint(8, 17), rng.randint(0, 59))
    due_days = settings.JIBAO_DEFAULT_DUE_DAYS
    offset = rng.randint(due_days + 1, due_days + 20) if late_body else rng.randint(1, due_days)
    first_submitted = beijing(end + timedelta(days=offset), rng.randint(9, 17), rng.randint(0, 59))
    approved = first_submitted + timedelta(days=rng.randint(1, 6) + 3 * returned_rounds, hours=rng.randint(0, 5))
    if status in ("draft", ""):
        first_submitted = approved = None
    elif status != "approved":
        approved = None
    return ReportPlan(
        body_index=body_index, year=year, quarter=quarter, status=status,
        items_layout="paragraphs" if rng.random() < 0.1 else "inline",
        headings=headings, problems=problems, next_steps=next_steps, values=values,
        returned_rounds=returned_rounds, first_submitted=first_submitted, approved=approved, created=created,
    )


def quarter_end(year, quarter):
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def beijing(day, hour, minute):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)


def supervisor_name(depth: int, n: int, last: bool, levels: int) -> str:
    """第3派驻纪检监察组 at the last level above the bodies (the only one with --levels 2); 第2市纪委监委,
    第2市第4县纪委监委… above it."""
    if last:
        return f"{ROOT_NAME}第{n}派驻纪检监察组" if levels == 2 else f"第{depth}级第{n}派驻纪检监察组"
    return f"第{n}{'市' if depth == 1 else '县'}纪委监委" if depth <= 2 else f"第{depth}级第{n}纪委监委"


def supervisor_short_name(depth: int, n: int, last: bool) -> str:
    return f"第{n}派驻组" if last else f"第{depth}级{n}"


def level_sizes(bodies: int, levels: int) -> list[int]:
    """How many supervising bodies each level below the root has, from the top: G =
    ceil(bodies / BODIES_PER_SUPERVISOR) at the last level (the 派驻组 the bodies report to), and
    level i of the levels - 1 about G ** (i / (levels - 1)), at least 1 and never fewer than the
    level above: a balanced tree, as a province is. 3,000 bodies in 4 levels: 5 cities, 22
    counties, 100 groups; 30,000: 10, 100, 1,000. With 2 levels: the G groups alone."""
    groups = -(-bodies // BODIES_PER_SUPERVISOR)
    above = levels - 1
    sizes = []
    for level in range(1, above + 1):
        size = groups if level == above else max(1, round(groups ** (level / above)))
        sizes.append(max(size, sizes[-1] if sizes else 1))
    return sizes


def spread(index: int, size: int, parents: int) -> int:
    """The parent of the `index`-th of `size` bodies spread evenly, in order, over `parents`."""
    return index * parents // size


def body_names(count):
    """`count` distinct body names, 30 departments per city: 江州市发展改革委党组, …"""
    names = []
    for index in range(count):
        city_index, department = divmod(index, len(DEPARTMENTS))
        city = CITIES[city_index % len(CITIES)] + (str(city_index // len(CITIES) + 1) if city_index >= len(CITIES) else "")
        names.append(f"{city}市{DEPARTMENTS[department]}党组")
    return names


_RUNNING = None  # the command whose reports the forked processes make (make_reports_in_parallel)


def _make_batch(start):
    """In a forked process: the reports of one batch of bodies, and what was counted."""
    command = _RUNNING
    command.counts, command.by_status = dict.fromkeys(command.counts, 0), {}
    bodies = command.bodies[start:start + BATCH_BODIES]
    with transaction.atomic():
        command.make_reports(bodies)
    return len(bodies), command.counts, command.by_status


def insert(model, objects, *, batch_size):
    """bulk_create, but COPY on PostgreSQL, where bulk_create sends each column as one array literal
    (INSERT … SELECT * FROM UNNEST(…)) that psycopg builds in Python, escaping every quote of every
    value with a regular expression: 7 ms per Submission (its frozen snapshot is JSON, all
    quotes), 60 µs per Item, three quarters of the time of 30,000 bodies. COPY formats the rows in
    psycopg's C code. The ids come from the table's sequence first: the objects get them, as
    bulk_create gives them (the next tables refer to them)."""
    objects = list(objects)
    if connection.vendor != "postgresql" or not objects:
        return model.objects.bulk_create(objects, batch_size=batch_size)
    db = connections[connection.alias]  # once: each use of the `connection` proxy is a thread-local look-up
    meta, quote = model._meta, db.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.generated]  # the database computes those
    with db.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [quote(meta.db_table), meta.pk.column, len(objects)])
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
    prepare = [_copy_value(field, db) for field in fields]
    columns = ", ".join(quote(field.column) for field in fields)
    # psycopg's own connection, in the same transaction: Django's cursor would format the rows itself.
    with db.connection.cursor() as cursor, cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            copy.write_row([value(obj) for value in prepare])
    for obj in objects:
        obj._state.adding, obj._state.db = False, db.alias
    return objects


# Fields whose Python value psycopg writes as it is (an aware datetime, a Decimal, an id…).
PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.DecimalField,
                models.ForeignKey, models.DateField)


def _copy_value(field, db):
    """How to read a field's value for COPY: straight from the object when Django would not change
    it (most fields: 3 µs a value saved on 30,000 bodies' 20 million), JSON as its text, and
    anything else (a date set on save…) as bulk_create would."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda obj: None if (value := getattr(obj, field.attname)) is None else json.dumps(value, cls=encoder)
    if isinstance(field, models.ForeignKey):
        # The id, or the id of the object given (saved just before: bulk_create's check).
        attname = field.attname

        def related_id(obj):
            value = obj.__dict__.get(attname)
            if value is None and (related := field.get_cached_value(obj, None)) is not None:
                if related.pk is None:
                    raise ValueError(f"{field.name}: unsaved related object")
                value = related.pk
            return value

        return related_id
    if isinstance(field, PLAIN_FIELDS) and not getattr(field, "auto_now", False) and not getattr(field, "auto_now_add", False):
        return attrgetter(field.attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), db)


class auto_timestamps_off:
    """Let bulk_create keep the dates we give: auto_now/auto_now_add would overwrite the history's
    dates with the time of generation (the board's timeliness depends on them)."""

    FIELDS = [(Report, "created_at"), (Report, "updated_at"), (ReportEvent, "created_at"),
              (Comment, "created_at"), (Reminder, "sent_at")]

    def __enter__(self):
        self.saved = []
        for model, name in self.FIELDS:
            field = model._meta.get_field(name)
            self.saved.append((field, field.auto_now, field.auto_now_add))
            field.auto_now = field.auto_now_add = False

    def __exit__(self, *exc):
        for field, auto_now, auto_now_add in self.saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


# ---- The command ---------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "生成压测数据：单位树、用户、约 3,600 份报告（300 个单位 × 3 年）及其统计数和流程记录。仅限 DEBUG 开启时使用。"

    def add_arguments(self, parser):
        parser.add_argument("--bodies", type=int, default=300, help="填报单位数（默认 300）")
        parser.add_argument("--years", type=int, default=3, help="年数，每年四个季度（默认 3）")
        parser.add_argument("--levels", type=int, default=2,
                            help="根以下的层级数（默认 2：派驻组、填报单位；4 如市、县、派驻组、填报单位）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成同样的数据（默认 1）")
        parser.add_argument("--last-year", type=int, default=None, help="最后一年（默认为去年，使各季度均已到期）")
        parser.add_argument("--no-history", action="store_true", help="不生成各部分的修改记录（django-simple-history）")
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭时也运行（账号使用公开的已知密码）")
        parser.add_argument("--workers", type=int, default=None,
                            help="并行生成报告的进程数（默认：PostgreSQL 上 2 个，SQLite 上 1 个）")

    def handle(self, *args, bodies, years, levels, seed, last_year, no_history, force, workers=None, **options):
        if not settings.DEBUG and not force:
            # Every generated user has the same published password: never on a production server.
            raise CommandError("DEBUG 已关闭：压测账号使用公开的已知密码。确需在此运行请加 --force。")
        if bodies < 1 or years < 1:
            raise CommandError("--bodies 与 --years 必须为正数。")
        if not 2 <= levels <= 6:
            raise CommandError("--levels 应在 2 至 6 之间。")
        if Organization.objects.filter(name=ROOT_NAME).exists():
            raise CommandError(f"数据库中已有压测数据（{ROOT_NAME}）。请换一个空数据库（如 SQLITE_PATH=/tmp/load.sqlite3）。")
        workers = self.workers(workers, bodies)
        last_year = last_year or timezone.localdate().year - 1
        started = time.perf_counter()
        self.seed, self.with_history = seed, not no_history
        self.periods = [(year, quarter) for year in range(last_year - years + 1, last_year + 1) for quarter in QUARTER_NUMBERS]
        self.counts = dict.fromkeys(
            ["reports", "sections", "headings", "items", "measure values", "submissions", "events", "comments",
             "reminders", "history records"], 0)
        self.by_status = {}

        with transaction.atomic():
            self.make_tree(bodies, levels)
            self.make_users()
            # bulk_create bypasses Organization.save() and the membership signals.
            tree.rebuild(Organization, Membership)
            self.make_measures()
            DueDate.objects.bulk_create(
                # The administrators gave the year-end quarter five more days (a holiday), every year.
                [DueDate(year=year, quarter=4, due_date=quarter_end(year, 4) + timedelta(days=15))
                 for year in range(last_year - years + 1, last_year + 1)
                 if not DueDate.objects.filter(year=year, quarter=4).exists()]
            )
        self.due = {(year, quarter): self.due_date(year, quarter) for year, quarter in self.periods}
        starts = range(0, len(self.bodies), BATCH_BODIES)
        with auto_timestamps_off():
            if workers > 1:
                self.make_reports_in_parallel(starts, workers)
            else:
                for start in starts:
                    with transaction.atomic():
                        self.make_reports(self.bodies[start:start + BATCH_BODIES])
                    self.stdout.write(f"  {min(start + BATCH_BODIES, len(self.bodies))}/{len(self.bodies)} 个单位……")
        # COPY and bulk_create bypass the signals that keep the board's counts per subtree.
        tallies.recount()
        self.report(time.perf_counter() - started)

    def workers(self, asked, bodies):
        """Processes for the reports: 2 on PostgreSQL by default (the server parses and stores the
        frozen snapshots while Python builds the next batch: 30,000 bodies in about half the time),
        1 on SQLite (one writer at a time) and inside a transaction (a test's: the other processes
        would not see the tree)."""
        can = connection.vendor == "postgresql" and not connection.in_atomic_block
        if asked is None:
            return min(2, os.cpu_count() or 1) if can and bodies > 2 * BATCH_BODIES else 1
        if asked < 1:
            raise CommandError("--workers 必须为正数。")
        if asked > 1 and not can:
            raise CommandError("--workers 大于 1 只适用于 PostgreSQL（且不在事务中）。")
        return asked

    def make_reports_in_parallel(self, starts, workers):
        """make_reports for each batch of bodies in `workers` forked processes, each with its own
        connection and transactions; the counts come back here. The reports are the same as with
        one process (each body's come from its own random generator), their ids interleaved."""
        global _RUNNING
        _RUNNING = self
        connections.close_all()  # never share a connection across fork: each process opens its own
        done = 0
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for size, counts, by_status in pool.imap_unordered(_make_batch, starts):
                    for key, value in counts.items():
                        self.counts[key] += value
                    for key, value in by_status.items():
                        self.by_status[key] = self.by_status.get(key, 0) + value
                    done += size
                    self.stdout.write(f"  {done}/{len(self.bodies)} 个单位……")
        finally:
            _RUNNING = None

    # -- the tree and the people ------------------------------------------------------------------

    def make_tree(self, count, levels=2):
        """The root, `levels - 1` levels of supervising bodies (each with an overseer), and the
        reporting bodies at the bottom, BODIES_PER_SUPERVISOR under each body of the last level
        above them (level_sizes: a balanced tree, built from the top: a province's cities, a city's
        counties…). With two levels: the root's 派驻纪检监察组 and their bodies."""
        self.root = Organization.objects.create(name=ROOT_NAME, short_name="省纪委监委")
        self.levels = levels
        sizes = level_sizes(count, levels)
        parents, self.supervisors, self.top_supervisors = [self.root], [], []
        for depth, size in enumerate(sizes, 1):
            last = depth == len(sizes)
            made = Organization.objects.bulk_create(
                (Organization(name=supervisor_name(depth, n, last, levels), short_name=supervisor_short_name(depth, n, last),
                              parent=parents[spread(n - 1, size, len(parents))])
                 for n in range(1, size + 1)),
                batch_size=1000,
            )
            self.supervisors += made
            if depth == 1:
                self.top_supervisors = made
            parents = made
        self.bodies = Organization.objects.bulk_create(
            (Organization(name=name, short_name=short_name(name), parent=parents[index // BODIES_PER_SUPERVISOR])
             for index, name in enumerate(body_names(count))),
            batch_size=1000,
        )
        self.index_of = {body.id: index for index, body in enumerate(self.bodies)}
        rng = random.Random(f"{self.seed}/bodies")
        # About one body in twelve reports late, quarter after quarter (the board's yellow cells).
        self.late = {index for index in range(count) if rng.random() < 1 / 12}

    def make_users(self):
        rng = random.Random(f"{self.seed}/users")
        # One hash for everybody: hashing 700 passwords with PBKDF2 would take minutes, and the
        # password is public anyway.
        password = make_password(PASSWORD)
        User = get_user_model()
        users, memberships = [], []

        def user(username):
            name = person_name(rng)
            new = User(username=username, first_name=name, email=f"{username}@example.org", password=password)
            users.append(new)
            return new

        overseer = user("load-overseer")
        # With two levels it oversees the 派驻组 (the board of issue 7's benchmark); deeper, the root:
        # the province's overseer, whose board drills down the tree.
        tops = self.top_supervisors if self.levels == 2 else [self.root]
        memberships += [(overseer, organization, "overseer") for organization in tops]
        for n, organization in enumerate(self.supervisors, 1):
            memberships.append((user(f"load-o{n:02d}" if n < 100 else f"load-o{n}"), organization, "overseer"))
        self.drafters, self.reviewers = {}, {}
        for index, organization in enumerate(self.bodies):
            drafters = [user(f"load-d{index + 1:03d}")] + ([user(f"load-d{index + 1:03d}b")] if index % 5 == 4 else [])
            reviewer = user(f"load-r{index + 1:03d}")
            memberships += [(drafter, organization, "drafter") for drafter in drafters]
            memberships.append((reviewer, organization, "reviewer"))
            self.drafters[organization.id], self.reviewers[organization.id] = drafters[0], reviewer
        User.objects.bulk_create(users, batch_size=500)
        Membership.objects.bulk_create(
            [Membership(user=u, organization=o, role=role) for u, o, role in memberships], batch_size=500
        )
        self.user_count, self.membership_count = len(users), len(memberships)
        self.overseer = overseer

    def make_measures(self):
        existing = {(m.name, m.unit): m for m in Measure.objects.filter(organization__isnull=True)}
        Measure.objects.bulk_create(
            Measure(name=name, unit=unit) for name, unit, _range in MEASURES if (name, unit) not in existing
        )
        self.measures = {m.name: m for m in Measure.objects.filter(organization__isnull=True,
                                                                  name__in=[name for name, _u, _r in MEASURES])}
        # Every fifteenth body counts something of its own (the summary shows its owner).
        owners = [(index, body) for index, body in enumerate(self.bodies) if index % 15 == 7]
        own = Measure.objects.bulk_create(
            Measure(name=OWN_MEASURES[n % len(OWN_MEASURES)][0], unit=OWN_MEASURES[n % len(OWN_MEASURES)][1], organization=body)
            for n, (_index, body) in enumerate(owners)
        )
        self.own_measures = {index: measure for (index, _body), measure in zip(owners, own, strict=True)}

    def due_date(self, year, quarter):
        from reports.tracking.deadlines import due_dates

        return due_dates(year)[quarter]

    # -- the reports ------------------------------------------------------------------------------

    def make_reports(self, bodies):
        last, previous = self.periods[-1], self.periods[-2] if len(self.periods) > 1 else None
        plans = []
        for body in bodies:
            index = self.index_of[body.id]
            own = self.own_measures.get(index)
            for year, quarter in self.periods:
                stage = "last" if (year, quarter) == last else "previous" if (year, quarter) == previous else "old"
                plan = plan_report(self.seed, index, body.name, year, quarter, stage=stage, late_body=index in self.late,
                                   own_measure=(own.name, own.unit) if own else None)
                plan.body = body
                plan.quarter_is_last = (year, quarter) == last
                plans.append(plan)
        missing = [plan for plan in plans if not plan.status]
        plans = [plan for plan in plans if plan.status]

        reports = insert(Report, [self.report_of(plan) for plan in plans], batch_size=500)
        sections, headings, items = [], [], []
        for plan, report in zip(plans, reports, strict=True):
            plan.report = report
            plan.sections = [
                Section(report=report, kind=kind, title=title, position=position)
                for position, (kind, title) in enumerate(
                    (("practices", "主要做法"), ("problems", "存在的主要问题"), ("next_steps", "下一步的打算")), 1)
            ]
            sections += plan.sections
        insert(Section, sections, batch_size=500)
        for plan in plans:
            plan.headings_made = [Heading(section=plan.sections[0], title=title, position=position)
                                  for position, (title, _items) in enumerate(plan.headings, 1)]
            headings += plan.headings_made
        insert(Heading, headings, batch_size=500)
        for plan in plans:
            measures = self.measures_of(plan)
            plan.items_made = []
            for heading, (_title, texts) in zip(plan.headings_made, plan.headings, strict=True):
                plan.items_made += [Item(section=plan.sections[0], heading=heading, text=resolve(text, measures), position=n)
                                    for n, text in enumerate(texts, 1)]
            for section, texts in ((plan.sections[1], plan.problems), (plan.sections[2], plan.next_steps)):
                plan.items_made += [Item(section=section, text=text, position=n) for n, text in enumerate(texts, 1)]
            items += plan.items_made
        insert(Item, items, batch_size=1000)
        values = []
        for plan in plans:
            measures = self.measures_of(plan)
            plan.values_made = [MeasureValue(report=plan.report, measure=measures[name], value=value)
                                for name, value in plan.values.items()]
            values += plan.values_made
        insert(MeasureValue, values, batch_size=1000)

        submissions, events, comments = self.workflow(plans)
        insert(Submission, submissions, batch_size=200)
        # bulk_create bypasses Submission.save(), which keeps each report's first submission.
        record_first_submissions(Report.objects.filter(pk__in={submission.report_id for submission in submissions}))
        insert(ReportEvent, events, batch_size=1000)
        for comment in comments:  # the submission it is about has its id only now
            comment.submission_id = comment.submission.id
        insert(Comment, comments, batch_size=1000)
        reminders = self.reminders(missing + [plan for plan in plans if plan.status == "draft" and plan.quarter_is_last])
        insert(Reminder, reminders, batch_size=1000)
        if self.with_history:
            self.history(plans)

        counts = self.counts
        counts["reports"] += len(reports)
        counts["sections"] += len(sections)
        counts["headings"] += len(headings)
        counts["items"] += len(items)
        counts["measure values"] += len(values)
        counts["submissions"] += len(submissions)
        counts["events"] += len(events)
        counts["comments"] += len(comments)
        counts["reminders"] += len(reminders)
        for plan in plans:
            self.by_status[plan.status] = self.by_status.get(plan.status, 0) + 1
        self.by_status["not started"] = self.by_status.get("not started", 0) + len(missing)

    def measures_of(self, plan):
        measures = dict(self.measures)
        own = self.own_measures.get(plan.body_index)
        if own:
            measures[own.name] = own
        return measures

    def report_of(self, plan):
        body, drafter = plan.body, self.drafters[plan.body.id]
        period = period_text(plan.year, plan.quarter)
        last_change = plan.approved or plan.first_submitted or plan.created + timedelta(days=3)
        if plan.status == "returned":
            last_change = plan.first_submitted + timedelta(days=2)
        return Report(
            organization=body, year=plan.year, quarter=plan.quarter,
            title=f"{body.name}{period}履行全面从严治党主体责任情况报告",
            opening=f"按要求，现将{body.name}{period}履行全面从严治党主体责任情况报告如下。",
            closing="特此报告。", signature_name=body.name,
            signature_date=(plan.first_submitted.astimezone(BEIJING).date() if plan.first_submitted else None),
            items_layout=plan.items_layout, status=plan.status,
            created_at=plan.created, updated_at=last_change, created_by=drafter, updated_by=drafter,
        )

    def workflow(self, plans):
        """Submissions with their frozen text, the events of each step, and the reviewer's remarks
        on a report that was returned: what the workflow would have written, with its dates."""
        submissions, events, comments = [], [], []
        for plan in plans:
            if plan.first_submitted is None:
                continue
            report, drafter, reviewer = plan.report, self.drafters[plan.body.id], self.reviewers[plan.body.id]
            measures = self.measures_of(plan)
            infos = {measures[name].id: MeasureInfo(measures[name].id, name, measures[name].unit, value)
                     for name, value in plan.values.items()}
            frozen_values = {f"{name}（{measures[name].unit}）": format_value(value) for name, value in plan.values.items()}
            headings, items = plan.headings_made, plan.items_made
            final = snapshot(compose_document(report, plan.sections, headings, items, infos))
            when = plan.first_submitted
            status = "draft"
            for round_number in range(1, plan.returned_rounds + 2):
                last_round = round_number == plan.returned_rounds + 1
                if last_round:
                    paragraphs = final
                else:
                    # The first version was shorter by one point: the reviewer asked for it.
                    paragraphs = snapshot(compose_document(report, plan.sections, headings, items[:-1], infos))
                submission = Submission(report=report, number=round_number, paragraphs=paragraphs,
                                        measures=frozen_values, submitted_by=drafter, submitted_at=when)
                submissions.append(submission)
                events.append(ReportEvent(report=report, action="submit", from_status=status, to_status="submitted",
                                          actor=drafter, created_at=when))
                status = "submitted"
                if not last_round or plan.status == "returned":
                    returned_at = when + timedelta(days=2)
                    reason = RETURN_REASONS[(plan.body_index + plan.quarter) % len(RETURN_REASONS)]
                    item = items[len(items) // 3]
                    comments.append(Comment(report=report, submission=submission, ref=f"item-{item.id}",
                                            place="一、主要做法", author=reviewer,
                                            text=ITEM_REMARKS[plan.quarter % len(ITEM_REMARKS)],
                                            created_at=returned_at - timedelta(hours=1)))
                    events.append(ReportEvent(report=report, action="return", from_status="submitted", to_status="returned",
                                              actor=reviewer, comment=reason, created_at=returned_at))
                    status = "returned"
                    when = returned_at + timedelta(days=1)
                    if plan.status == "returned":
                        break
            if plan.approved:
                events.append(ReportEvent(report=report, action="approve", from_status="submitted", to_status="approved",
                                          actor=reviewer, created_at=plan.approved))
        return submissions, events, comments

    def reminders(self, plans):
        """催报 to the bodies that have not submitted the last quarter, a few days after it was due."""
        return [
            Reminder(organization=plan.body, year=plan.year, quarter=plan.quarter, sent_by=self.overseer,
                     recipients=f"load-d{plan.body_index + 1:03d}@example.org",
                     sent_at=beijing(self.due[(plan.year, plan.quarter)] + timedelta(days=3), 10, 0))
            for plan in plans
        ]

    def history(self, plans):
        """The "created" record of every part, by the drafter, when the report was started, as the
        editor would have left it (the timeline and the self-approval check read these)."""
        for model, attribute in ((Report, None), (Section, "sections"), (Heading, "headings_made"),
                                 (Item, "items_made"), (MeasureValue, "values_made")):
            objects = []
            for plan in plans:
                made = [plan.report] if attribute is None else getattr(plan, attribute)
                for obj in made:
                    obj._history_user = self.drafters[plan.body.id]
                    obj._history_date = plan.created
                objects += made
            model.history.bulk_history_create(objects, batch_size=1000)
            self.counts["history records"] += len(objects)

    def report(self, seconds):
        write = self.stdout.write
        write(self.style.SUCCESS(f"已生成压测数据（种子 {self.seed}，用时 {seconds:.1f} 秒）："))
        write(f"  单位     {1 + len(self.supervisors) + len(self.bodies)}"
              f"（根 1，督办 {len(self.supervisors)}，填报 {len(self.bodies)}）")
        write(f"  用户     {self.user_count}（成员关系 {self.membership_count}）")
        write(f"  统计指标 {len(self.measures) + len(self.own_measures)}"
              f"（通用 {len(self.measures)}，单位自有 {len(self.own_measures)}）")
        for name, count in self.counts.items():
            write(f"  {name:<16} {count:,}")
        write("  报告状态 " + "，".join(f"{status} {count:,}" for status, count in sorted(self.by_status.items())))
        (first_year, first_quarter), (last_year, last_quarter) = self.periods[0], self.periods[-1]
        write(f"  期间     {first_year}年第{first_quarter}季度 至 {last_year}年第{last_quarter}季度")
        write(f"\n账号（密码均为 {PASSWORD}）：load-overseer 督办全部单位；load-o01… 督办一个派驻组；"
              "load-d001… 起草人；load-r001… 审核人。")


NAMED_TOKEN = re.compile(r"\{\{measure:([^{}]+)\}\}")


def resolve(text, measures):
    """Named tokens ({{measure:廉政谈话}}) → id tokens, as reports.structure does for the demo."""
    if "{{measure:" not in text:
        return text
    return NAMED_TOKEN.sub(lambda match: token(measures[match[1]].id) if match[1] in measures else match[0], text)


def snapshot(document):
    """The document model as a Submission stores it (see workflow._freeze)."""
    return [
        {"kind": p.kind, "ref": p.ref,
         "runs": [{"text": r.text, "role": r.role, "kind": r.kind, "ref": r.ref} for r in p.runs]}
        for p in document.paragraphs
    ]

