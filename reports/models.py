"""The report as data: bodies and their people, the report's parts, measures and their values.

Ordinals (一、（一）一是) are never stored: they follow from `position` at render time
(see `reports.document.numbering`). Rules that must always hold are database constraints.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from reports.labels import QUARTER_NAMES, QUARTER_NUMBERS, period_name, person_name
from reports.managers import MeasureQuerySet, OrganizationQuerySet, ReportQuerySet

QUARTERS = [(quarter, QUARTER_NAMES[quarter]) for quarter in QUARTER_NUMBERS]
YEAR_MIN, YEAR_MAX = 2000, 2100
# Where an annual report (quarter None) sorts among its year's quarters: after the fourth.
ANNUAL_PERIOD_ORDER = 5


MAX_WARNING_DAYS = 60


class Organization(models.Model):
    """A body that writes reports (a Party group, a department) or supervises others."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    # The code a province's own list gives each body (机构代码, 统一社会信用代码): a sheet may name
    # the body above by it. Optional, unique when given.
    code = models.CharField(_("单位代码"), max_length=50, blank=True,
                            help_text=_("可选。机构代码或统一社会信用代码等，导入表格时可用它指明上级单位。"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    # As a supervising body (the nearest above with overseers): the deadlines of the bodies that
    # report to it (reports.tracking.deadlines).
    grace_days = models.PositiveSmallIntegerField(
        _("宽限天数"), default=0, validators=[MaxValueValidator(90)],
        help_text=_("报送截止日期后仍可填报、提交的天数（须附迟报说明）。"))
    closes_input = models.BooleanField(
        _("宽限期满后截止填报"), default=False,
        help_text=_("勾选后，宽限期满仍未提交的单位不能再填写，除非督办人准予延期。"))
    warning_days = models.PositiveSmallIntegerField(
        _("提前提醒天数"), default=3, validators=[MaxValueValidator(MAX_WARNING_DAYS)],
        help_text=_("截止日期前多少天起在督办看板上标为“即将到期”，并自动向未提交的单位发送一次提醒。"))

    # Derived from `parent` and the overseers' memberships by reports.tree, never edited by hand:
    # the materialised path that makes "all bodies below" one range of an index, the depth, and
    # the body this body's reports are 报送ed to (the nearest above with overseers).
    path = models.CharField(_("树路径"), max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(_("层级"), default=0, editable=False)
    supervisor = models.ForeignKey(
        "self", verbose_name=_("报送单位"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="supervised",
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="organization_not_own_parent"
            ),
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="organization_code_unique",
                violation_error_message=_("这个单位代码已被另一个单位使用。"),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from reports.tree import place

        old_path = self.path if self.pk is not None else ""
        super().save(*args, **kwargs)
        place(self, old_path)

    def clean(self):
        super().clean()
        from reports.tree import MAX_DEPTH, SEGMENT

        if self.parent_id is not None and self.pk is not None:
            parent_path = Organization.objects.filter(pk=self.parent_id).values_list("path", flat=True).first() or ""
            if self.parent_id == self.pk or (self.path and parent_path.startswith(self.path)):
                raise ValidationError({"parent": _("上级单位不能是本单位或本单位的下级单位。")})
            if parent_path and len(parent_path) // SEGMENT >= MAX_DEPTH:
                raise ValidationError({"parent": _("单位层级过深。")})


class Membership(models.Model):
    class Role(models.TextChoices):
        DRAFTER = "drafter", _("起草人")
        REVIEWER = "reviewer", _("审核人")
        OVERSEER = "overseer", _("督办人")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        ordering = ["organization__name", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["drafter", "reviewer", "overseer"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class Contact(models.Model):
    """What an onboarding sheet says of a person beyond Django's user: a phone number, for the
    supervising body to call (reports.onboarding.people)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                                related_name="contact")
    phone = models.CharField(_("手机"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("联系方式")
        verbose_name_plural = _("联系方式")

    def __str__(self):
        return self.phone


class Report(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审定")
        # 签收ed by the supervising body (reports.review.workflow): locked for everyone, its figures
        # counted by the overseer, until the overseer 撤销签收s it.
        ACCEPTED = "accepted", _("已签收")

    class ItemsLayout(models.TextChoices):
        # As in the sample: "（一）标题。一是……二是……" in one paragraph.
        INLINE = "inline", _("各项接排在同一段内")
        PARAGRAPHS = "paragraphs", _("每项另起一段")

    class SignatureLayout(models.TextChoices):
        # GB/T 9704 7.3.5: a report sent upward is normally sealed.
        SEALED = "sealed", _("加盖印章（成文日期右空四字，署名居中于日期之上）")
        UNSEALED = "unsealed", _("不加盖印章（署名右空二字，日期首字右移二字）")

    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    # None: the report is for the whole year (年度报告), assembled from its four quarters.
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=QUARTERS, null=True, blank=True,
                                               help_text=_("留空表示年度报告。"))
    title = models.CharField(_("标题"), max_length=200)
    addressee = models.CharField(_("主送机关"), max_length=100, blank=True)
    opening = models.TextField(_("开头段"), blank=True)
    closing = models.CharField(_("结束语"), max_length=100, blank=True, help_text=_("如：特此报告。"))
    signature_name = models.CharField(_("署名"), max_length=100, blank=True)
    signature_date = models.DateField(_("成文日期"), null=True, blank=True)
    items_layout = models.CharField(
        _("各项排版"), max_length=16, choices=ItemsLayout.choices, default=ItemsLayout.INLINE
    )
    signature_layout = models.CharField(
        _("落款格式"), max_length=16, choices=SignatureLayout.choices, default=SignatureLayout.SEALED
    )
    # GB/T 9704 7.3.4: "附件：1. ……" after the body, naming the evidence files, when the body wants it.
    lists_attachments = models.BooleanField(_("正文后列出附件"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    # While submitted: the step of the body's review chain it waits at (1 = the first; ReviewStep).
    review_step = models.PositiveSmallIntegerField(_("审核环节"), default=1)
    # 迟报说明: why the first submission came after the due date (shown on the board and in the trail).
    late_reason = models.TextField(_("迟报说明"), blank=True)
    # Optimistic locking: every save says which version it was based on.
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # When the report was first submitted: kept by Submission.save() (and, after a bulk load, by
    # record_first_submissions), so that the board counts who reported on time from the report
    # alone, without a lookup of its submissions per report.
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True, editable=False)
    # The period as one sortable number, an annual report (quarter None) after its Q4 (5): the
    # report list's order is then three plain columns that one index serves in both databases,
    # where "quarter DESC NULLS FIRST" sorts differently in SQLite and PostgreSQL and defeats the
    # index in SQLite. Computed by the database, so nothing can write it wrong.
    period_order = models.GeneratedField(
        expression=Coalesce("quarter", Value(ANNUAL_PERIOD_ORDER)), output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )

    objects = ReportQuerySet.as_manager()
    # Every change of the report's own fields, with who made it (the timeline reads it).
    history = HistoricalRecords(excluded_fields=["version", "updated_at", "updated_by", "period_order",
                                                 "first_submitted_at"])

    class Meta:
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        # Newest first; a year's annual report before its quarters (it is written after them).
        ordering = [models.F("year").desc(), models.F("quarter").desc(nulls_first=True), "organization__name"]
        # The report list's order (reports.views.keyset), newest first.
        indexes = [models.Index(models.F("year").desc(), models.F("period_order").desc(), "organization",
                                name="report_list_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "quarter"], name="report_one_per_body_quarter"
            ),
            models.UniqueConstraint(
                fields=["organization", "year"], condition=Q(quarter__isnull=True), name="report_one_annual_per_body_year"
            ),
            models.CheckConstraint(condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                                   name="report_quarter_1_4"),
            models.CheckConstraint(
                condition=Q(year__gte=YEAR_MIN, year__lte=YEAR_MAX), name="report_year_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "returned", "approved", "accepted"]),
                name="report_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(items_layout__in=["inline", "paragraphs"]), name="report_items_layout_valid"
            ),
            models.CheckConstraint(
                condition=Q(signature_layout__in=["sealed", "unsealed"]), name="report_signature_layout_valid"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="report_version_positive"),
        ]

    def __str__(self):
        return self.title or f"{self.organization} {self.period_label}"

    def save(self, *args, **kwargs):
        # first_submitted_at belongs to the submissions: a full save of a report read before its
        # first submission (the admin's form, say) must not write it back as empty.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [field.name for field in self._meta.concrete_fields
                                       if not field.primary_key and not field.generated
                                       and field.name != "first_submitted_at"]
        super().save(*args, **kwargs)

    @property
    def annual(self) -> bool:
        return self.quarter is None

    @property
    def period_label(self):
        """The period in the interface's language (2023年第一季度, Q1 2023; 2023年度)."""
        return period_name(self.year, self.quarter)


# Approved by the body, 签收ed above or not yet: what the body has 审定 and sent up.
APPROVED_STATUSES = (Report.Status.APPROVED, Report.Status.ACCEPTED)


class Positioned(models.Model):
    """A part numbered by its place among its siblings (a section in its report, a heading in its
    section, an item in its heading or section). The default order is the part's own column, as
    Wagtail's Orderable does: ordering by the parent's foreign key would follow the parent's own
    ordering up to the report and its body, joining those tables into every query of parts."""

    position = models.PositiveIntegerField(_("位置"))

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Section(Positioned):
    """A level-1 part (一、主要做法), numbered by position."""

    class Kind(models.TextChoices):
        PRACTICES = "practices", _("主要做法")
        PROBLEMS = "problems", _("存在的主要问题")
        NEXT_STEPS = "next_steps", _("下一步的打算")
        OTHER = "other", _("其他")
        # Generated parts: their items are printed from the ledger and the plans checklist
        # (reports/tracking/carried.py), typed once there; the section row holds their title and place.
        RECTIFICATION = "rectification", _("上季度问题整改情况")
        PLANS_DONE = "plans_done", _("上季度工作打算落实情况")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("标题"), max_length=100)
    lead = models.TextField(_("导语"), blank=True, help_text=_("第一项之前不编号的文字。"))

    history = HistoricalRecords()

    class Meta(Positioned.Meta):
        verbose_name = _("部分")
        verbose_name_plural = _("部分")
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="section_unique_position"),
            models.CheckConstraint(
                condition=Q(kind__in=["practices", "problems", "next_steps", "other", "rectification", "plans_done"]),
                name="section_kind_valid",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def generated(self) -> bool:
        return self.kind in GENERATED_SECTION_KINDS


# Sections whose items are printed from elsewhere (the ledger, the plans checklist), not typed.
GENERATED_SECTION_KINDS = (Section.Kind.RECTIFICATION, Section.Kind.PLANS_DONE)


class Heading(Positioned):
    """A level-2 heading inside a section (（一）深化理论学习，把准正确方向。)."""

    section = models.ForeignKey(Section, verbose_name=_("部分"), on_delete=models.CASCADE, related_name="headings")
    title = models.CharField(_("标题"), max_length=200)
    lead = models.TextField(_("导语"), blank=True, help_text=_("标题之后、第一项之前不编号的文字。"))

    history = HistoricalRecords()

    class Meta(Positioned.Meta):
        verbose_name = _("小标题")
        verbose_name_plural = _("小标题")
        constraints = [
            models.UniqueConstraint(fields=["section", "position"], name="heading_unique_position"),
        ]

    def __str__(self):
        return self.title


class Item(Positioned):
    """A point (一是……) of a heading, or of a section when it has no heading."""

    section = models.ForeignKey(Section, verbose_name=_("部分"), on_delete=models.CASCADE, related_name="items")
    heading = models.ForeignKey(
        Heading,
        verbose_name=_("小标题"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="items",
    )
    text = models.TextField(_("内容"), blank=True)

    history = HistoricalRecords()

    class Meta(Positioned.Meta):
        verbose_name = _("条目")
        verbose_name_plural = _("条目")
        constraints = [
            # Siblings are the items of one heading, or the heading-less items of one section.
            models.UniqueConstraint(
                fields=["heading", "position"],
                condition=Q(heading__isnull=False),
                name="item_unique_position_in_heading",
            ),
            models.UniqueConstraint(
                fields=["section", "position"],
                condition=Q(heading__isnull=True),
                name="item_unique_position_in_section",
            ),
        ]

    def __str__(self):
        return self.text[:30]

    def clean(self):
        if self.heading_id and self.section_id and self.heading.section_id != self.section_id:
            raise ValidationError(
                {"heading": _("小标题必须属于同一部分。")}, code="heading_in_other_section"
            )


class Measure(models.Model):
    """A named, unit-bearing count in the catalogue (理论学习中心组学习会议, 次)."""

    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(pgettext_lazy("measure unit", "单位"), max_length=10)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("适用单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measures",
        help_text=_("留空表示所有单位通用。"),
    )
    active = models.BooleanField(_("启用"), default=True)
    whole = models.BooleanField(
        _("只取整数"), default=True, help_text=_("次、人次、件等计数只能是整数；金额、时长等可以有小数。")
    )
    needs_evidence = models.BooleanField(
        _("需要佐证材料"), default=False, help_text=_("填了数的报告须为它上传佐证材料才能提交。")
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("统计指标")
        verbose_name_plural = _("统计指标")
        ordering = ["name", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "unit"],
                condition=Q(organization__isnull=True),
                name="measure_unique_global",
            ),
            models.UniqueConstraint(
                fields=["organization", "name", "unit"],
                condition=Q(organization__isnull=False),
                name="measure_unique_in_organization",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）"

    def validate_value(self, value: Decimal | None) -> None:
        """A count of whole things refuses a fraction (3.5 次): ValidationError with a message."""
        if value is not None and self.whole and value % 1:
            raise ValidationError(
                _("“%(name)s”以“%(unit)s”计，只能填写整数。") % {"name": self.name, "unit": self.unit}, code="not_whole"
            )


class MeasureValue(models.Model):
    """A measure's figure in one report; empty until the drafter fills it in."""

    report = models.ForeignKey(
        Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="measure_values"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("统计指标"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(
        _("数值"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # 说明: why a figure far from the body's usual, or breaking a rule between figures, is right
    # (reports.quality.figures); asked for at submission, shown beside the figure to the reviewers.
    note = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标数值")
        verbose_name_plural = _("指标数值")
        ordering = ["report", "measure__name"]
        constraints = [
            models.UniqueConstraint(fields=["report", "measure"], name="measure_value_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="measure_value_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.measure}: {self.value if self.value is not None else '—'}"


class Submission(models.Model):
    """One round of review: the report frozen as it was submitted (text and measure values).

    The people in the trail (who submitted, acted, commented, reminded) are PROTECTed: an
    official record does not lose its names when an account is deleted; deactivate it instead."""

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveIntegerField(_("轮次"))
    # The document model as printed: [{"kind", "ref", "runs": [{"text", "role", "kind"}]}], and
    # {"measure name (unit)": "value"}; a snapshot needs no later data to be read.
    paragraphs = models.JSONField(_("报告内容"))
    measures = models.JSONField(_("统计数"), default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("提交记录")
        verbose_name_plural = _("提交记录")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="submission_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="submission_number_positive"),
        ]
        indexes = [
            # Covers "when was each report first submitted" (record_first_submissions) without
            # reading the rows, whose frozen snapshot comes before submitted_at.
            models.Index(fields=["report", "number", "submitted_at"], name="submission_first_idx"),
        ]

    def __str__(self):
        return f"{self.report} · 第{self.number}次提交"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        record_first_submissions(Report.objects.filter(pk=self.report_id))
        from reports.tracking.tallies import recount_later

        recount_later(Report.objects.filter(pk=self.report_id).values_list("organization_id", flat=True))


def record_first_submissions(reports) -> int:
    """Set each report's first_submitted_at from its earliest submission: after each submission
    (Submission.save) and after loads that bypass it (bulk_create, the migration). One UPDATE."""
    first = Submission.objects.filter(report=models.OuterRef("pk")).order_by("number").values("submitted_at")[:1]
    return reports.update(first_submitted_at=models.Subquery(first))


class ReportEvent(models.Model):
    """One step of a report's life (submitted, returned, approved, reopened), append-only."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("审定")
        RETURN = "return", _("退回修改")
        REOPEN = "reopen", _("重新打开")
        ACCEPT = "accept", _("签收")
        SEND_BACK = "send_back", _("上级退回")
        UNACCEPT = "unaccept", _("撤销签收")
        PASS = "pass", _("审核通过")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=16, choices=Report.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Report.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("意见"), blank=True)
    # A decision of a review step: which one (its number and name as they were then), and, when a
    # substitute (代审) took it, whom they stood in for.
    step = models.PositiveSmallIntegerField(_("审核环节"), null=True, blank=True)
    step_name = models.CharField(_("环节名称"), max_length=50, blank=True)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("被代审人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("流程记录")
        verbose_name_plural = _("流程记录")
        ordering = ["report", "created_at", "id"]

    def __str__(self):
        return f"{self.report} · {self.get_action_display()}"

    @property
    def who(self) -> str:
        """The actor as every page and notice names them: "王五（代 李四）" for a 代审."""
        if self.actor is None:
            return str(_("系统"))
        if self.on_behalf_of_id:
            return str(_("%(name)s（代 %(absent)s）")) % {"name": person_name(self.actor),
                                                       "absent": person_name(self.on_behalf_of)}
        return person_name(self.actor)

    @property
    def what(self) -> str:
        """The action, with the review step it decided when the chain has names: "审核通过（第1环节·科室负责人）"."""
        if self.step and self.step_name:
            return str(_("%(action)s（第%(number)d环节·%(step)s）")) % {
                "action": self.get_action_display(), "number": self.step, "step": self.step_name}
        return self.get_action_display()


class Comment(models.Model):
    """A reviewer's remark on the whole report or on one part of it ("item-12")."""

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="comments")
    submission = models.ForeignKey(
        Submission, verbose_name=_("提交轮次"), null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    ref = models.CharField(_("位置"), max_length=40, blank=True, help_text=_("空表示针对整份报告。"))
    place = models.CharField(_("位置说明"), max_length=100, blank=True)  # "一、主要做法 （一） 二是", as seen
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批注人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("批注"))
    # A comment read from a leader's Word file: the name it is signed with there (w:author); the
    # author is then whoever uploaded the file.
    author_name = models.CharField(_("批注人（Word 文件中）"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("批注")
        verbose_name_plural = _("批注")
        ordering = ["report", "created_at", "id"]

    def __str__(self):
        return self.text[:30]


class Suggestion(models.Model):
    """A reviewer's change to one text part, proposed, not applied: the drafter accepts or rejects
    it. `before` is the part as printed when the change was proposed (reports.document.parts), so a
    part changed since is seen at once and never overwritten blindly."""

    class Source(models.TextChoices):
        BROWSER = "browser", _("在线修改")
        WORD = "word", _("Word 文件")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ACCEPTED = "accepted", _("已接受")
        REJECTED = "rejected", _("已拒绝")
        WITHDRAWN = "withdrawn", _("已撤回")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="suggestions")
    submission = models.ForeignKey(Submission, verbose_name=_("提交轮次"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="suggestions")
    ref = models.CharField(_("位置"), max_length=40)  # the part of the editor: "item-12", "heading-5", "title"
    field = models.CharField(_("内容项"), max_length=24)  # what of it: "text", "title", "lead", "signature_date"…
    label = models.CharField(_("位置说明"), max_length=60)  # "一、（一）二是", as it printed then
    before = models.TextField(_("原文"), blank=True)
    after = models.TextField(_("建议改为"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("建议人"), null=True, on_delete=models.PROTECT,
                               related_name="+")
    author_name = models.CharField(_("建议人姓名"), max_length=100, blank=True)  # also a Word file's w:author
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.BROWSER)
    tracked = models.BooleanField(_("修订标记"), default=True)  # False: found by comparing a Word file's text
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("修改建议")
        verbose_name_plural = _("修改建议")
        ordering = ["report", "created_at", "id"]
        indexes = [models.Index(fields=["report", "status"], name="suggestion_open")]

    def __str__(self):
        return f"{self.label}：{self.after[:30]}"


class DueDate(models.Model):
    """When a quarter's reports are due; without one, the default days after the quarter ends."""

    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)])
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=QUARTERS, null=True, blank=True,
                                               help_text=_("留空表示年度报告的报送期限。"))
    due_date = models.DateField(_("报送截止日期"))
    # Who moved a deadline, and from what: it decides who was late.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报送期限")
        verbose_name_plural = _("报送期限")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="due_date_one_per_quarter"),
            models.UniqueConstraint(fields=["year"], condition=Q(quarter__isnull=True), name="due_date_one_annual_per_year"),
            models.CheckConstraint(condition=Q(quarter__isnull=True) | Q(quarter__gte=1, quarter__lte=4),
                                   name="due_date_quarter_1_4"),
        ]

    def __str__(self):
        return _("%(period)s：%(due)s") % {"period": period_name(self.year, self.quarter), "due": f"{self.due_date:%Y-%m-%d}"}


class Reminder(models.Model):
    """A 催报 e-mail sent to a body's drafters, kept as a record: by an overseer, or by itself
    (send_due_reminders) before the due date and on the day after it."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("督办人催报")
        DUE_SOON = "due_soon", _("到期前提醒")
        OVERDUE = "overdue", _("逾期催报")

    organization = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="reminders")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=QUARTERS, null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("催报人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.MANUAL)
    recipients = models.TextField(_("收件人"), blank=True)
    sent_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        ordering = ["-sent_at"]
        constraints = [
            # What makes send_due_reminders safe to run every hour: each automatic reminder of a
            # body's period exists once, whatever runs at the same time.
            models.UniqueConstraint(fields=["organization", "year", "quarter", "kind"],
                                    condition=~Q(kind="manual"), name="reminder_automatic_once"),
            models.UniqueConstraint(fields=["organization", "year", "kind"],
                                    condition=~Q(kind="manual") & Q(quarter__isnull=True),
                                    name="reminder_automatic_once_annual"),
            models.CheckConstraint(condition=Q(kind__in=["manual", "due_soon", "overdue"]), name="reminder_kind_valid"),
        ]

    def __str__(self):
        return f"{self.organization} {period_name(self.year, self.quarter)}"


class Problem(models.Model):
    """An entry of a body's 问题整改台账: a problem its report named under 存在的主要问题, followed
    from quarter to quarter until a leader closes it (销号). reports/tracking/ledger.py holds the rules."""

    class Status(models.TextChoices):
        OPEN = "open", _("未整改")
        IN_PROGRESS = "in_progress", _("整改中")
        CLOSED = "closed", _("已整改")
        REOPENED = "reopened", _("重新整改")

    organization = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="problems")
    text = models.TextField(_("问题"))
    found_year = models.PositiveSmallIntegerField(
        _("发现年度"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    found_quarter = models.PositiveSmallIntegerField(_("发现季度"), choices=QUARTERS)
    measures = models.TextField(_("整改措施"), blank=True)
    leader = models.CharField(_("责任领导"), max_length=100, blank=True)
    department = models.CharField(_("责任部门"), max_length=100, blank=True)
    deadline = models.DateField(_("整改时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("整改情况"), blank=True)
    # A drafter proposes the closing (with the 整改情况); the body's reviewer closes it.
    closing_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提请销号人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    closing_proposed_at = models.DateTimeField(_("提请销号时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("问题整改台账")
        verbose_name_plural = _("问题整改台账")
        ordering = ["organization", "found_year", "found_quarter", "id"]
        indexes = [models.Index(fields=["organization", "status"], name="problem_body_status")]
        constraints = [
            models.CheckConstraint(condition=Q(found_quarter__gte=1, found_quarter__lte=4), name="problem_quarter_1_4"),
            models.CheckConstraint(condition=Q(status__in=["open", "in_progress", "closed", "reopened"]),
                                   name="problem_status_known"),
        ]

    def __str__(self):
        return self.text[:40]


class ProblemMention(models.Model):
    """A report that names the problem: the quarters it has been named in give its age."""

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="mentions")
    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="problem_mentions")
    text = models.TextField(_("报告中的表述"))

    class Meta:
        verbose_name = _("问题的提及")
        verbose_name_plural = _("问题的提及")
        constraints = [models.UniqueConstraint(fields=["problem", "report"], name="problem_mentioned_once_a_report")]

    def __str__(self):
        return f"{self.problem} · {self.report}"


class ProblemEvent(models.Model):
    """One change of a ledger entry's status (or a closing proposed), append-only: who, when, why."""

    class Action(models.TextChoices):
        FOUND = "found", _("列入台账")
        START = "start", _("开始整改")
        PROPOSE = "propose", _("提请销号")
        CLOSE = "close", _("销号")
        REOPEN = "reopen", pgettext_lazy("ledger action", "重新整改")

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=16, choices=Problem.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Problem.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("说明"), blank=True)
    report = models.ForeignKey(Report, verbose_name=_("报告"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["problem", "created_at", "id"]

    def __str__(self):
        return f"{self.problem} · {self.get_action_display()}"


class ProblemProgress(models.Model):
    """What a report says of an open ledger entry: this quarter's 整改进展, printed in its
    上季度问题整改情况. The status is the entry's as the report was submitted (blank while it is a
    draft, when the entry's current status is printed)."""

    problem = models.ForeignKey(Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="progress")
    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="problem_progress")
    text = models.TextField(_("本季度整改进展"), blank=True)
    status = models.CharField(_("提交时的状态"), max_length=16, choices=Problem.Status.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        constraints = [models.UniqueConstraint(fields=["problem", "report"], name="problem_progress_once_a_report")]

    def __str__(self):
        return f"{self.problem} · {self.report}"


class PlanCheck(models.Model):
    """One item of last quarter's 下一步的打算, answered in this quarter's report: carried out,
    partly, or not, with one sentence. The plan's words are kept as last quarter printed them."""

    class Answer(models.TextChoices):
        DONE = "done", _("已落实")
        PARTLY = "partly", _("部分落实")
        NOT_DONE = "not_done", _("未落实")

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="plan_checks")
    plan = models.TextField(_("上季度的打算"))
    # The plan's words, hashed: the checklist is matched to last quarter's items by their text.
    plan_key = models.CharField(max_length=64, editable=False)
    position = models.PositiveIntegerField(_("位置"), default=0)
    answer = models.CharField(_("落实情况"), max_length=16, choices=Answer.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作打算落实情况")
        verbose_name_plural = _("工作打算落实情况")
        ordering = ["report", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "plan_key"], name="plan_check_once_a_report"),
            models.CheckConstraint(condition=Q(answer__in=["", "done", "partly", "not_done"]), name="plan_check_answer_known"),
        ]

    def __str__(self):
        return self.plan[:40]


class EvidenceFile(models.Model):
    """The bytes of a 佐证材料, stored once however many claims they support: named by their
    SHA-256 (reports/evidence/store.py). Images are stored as re-encoded, without their metadata."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    kind = models.CharField(_("类型"), max_length=8)
    storage_name = models.CharField(_("存储位置"), max_length=200)
    # A small PNG of the image or of a PDF's first page; empty when there is none to show.
    thumbnail_name = models.CharField(_("缩略图位置"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("存入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证文件")
        verbose_name_plural = _("佐证文件")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.sha256[:12]} · {self.kind}"


class Evidence(models.Model):
    """A file bound to the claim it supports: the report as a whole, an item ("item-12"), a
    measure's value ("measure-3") or a ledger entry's 整改情况 ("problem-5")."""

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="evidence")
    target = models.CharField(_("佐证对象"), max_length=40, blank=True, help_text=_("空表示整份报告。"))
    title = models.CharField(_("标题"), max_length=200)
    file = models.ForeignKey(EvidenceFile, verbose_name=_("文件"), on_delete=models.PROTECT, related_name="uses")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["report", "target", "uploaded_at", "id"]
        indexes = [models.Index(fields=["report", "target"], name="evidence_report_target")]

    def __str__(self):
        return self.title


class SubmittedFile(models.Model):
    """A file as a submission listed it: the evidence frozen with the text it supported. Its bytes
    are kept (PROTECT) while any submission lists them, whatever the drafters delete later."""

    submission = models.ForeignKey(Submission, verbose_name=_("提交记录"), on_delete=models.CASCADE, related_name="files")
    file = models.ForeignKey(EvidenceFile, verbose_name=_("文件"), on_delete=models.PROTECT, related_name="submitted")
    target = models.CharField(_("佐证对象"), max_length=40, blank=True)
    title = models.CharField(_("标题"), max_length=200)

    class Meta:
        verbose_name = _("提交时的佐证材料")
        verbose_name_plural = _("提交时的佐证材料")
        ordering = ["submission", "id"]

    def __str__(self):
        return self.title


class ReviewStep(models.Model):
    """One desk of a body's review chain (科室负责人 → 分管领导 → 主要负责人), in order. A body with
    no steps has one: its 审核人. reports.review.chain holds the rules."""

    organization = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.CASCADE,
                                     related_name="review_steps")
    position = models.PositiveSmallIntegerField(_("顺序"), validators=[MinValueValidator(1)])
    name = models.CharField(_("环节名称"), max_length=50, help_text=_("如：科室负责人、分管领导、主要负责人。"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人员"), blank=True, related_name="+",
        help_text=_("留空则由本单位的审核人（未指定在其他环节的）审核。"))

    class Meta:
        verbose_name = _("审核环节")
        verbose_name_plural = _("审核环节")
        ordering = ["organization", "position"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "position"], name="review_step_one_per_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="review_step_position_positive"),
        ]

    def __str__(self):
        return f"{self.organization} {self.position}. {self.name}"


class Substitution(models.Model):
    """代审: a reviewer on leave names someone to decide their review steps for a date range."""

    absent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("请假人"), on_delete=models.CASCADE,
                               related_name="substitutions")
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代审人"), on_delete=models.CASCADE,
                                   related_name="stand_ins")
    starts = models.DateField(_("开始日期"))
    ends = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("代审")
        verbose_name_plural = _("代审")
        ordering = ["-starts", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="substitution_dates_ordered"),
            models.CheckConstraint(condition=~Q(absent=models.F("substitute")), name="substitution_not_self"),
        ]

    def __str__(self):
        return f"{self.substitute} → {self.absent} {self.starts:%Y-%m-%d}–{self.ends:%Y-%m-%d}"


class Extension(models.Model):
    """准予延期: the supervising body lets one body report a period after its input closed, until a
    date; it expires by itself. Kept as the record of who granted it and why."""

    organization = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.CASCADE,
                                     related_name="extensions")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=QUARTERS, null=True, blank=True)
    until = models.DateField(_("延期至"))
    reason = models.TextField(_("延期理由"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("准予延期")
        verbose_name_plural = _("准予延期")
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["organization", "year", "quarter"], name="extension_period")]

    def __str__(self):
        return f"{self.organization} {period_name(self.year, self.quarter)} → {self.until:%Y-%m-%d}"


class Notice(models.Model):
    """An in-app notice (通知): every notice that is e-mailed is also kept here for each recipient,
    so that people without a working mail relay (or an address) still see it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("收件人"), on_delete=models.CASCADE,
                             related_name="notices")
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Its e-mail (reports.mail): the address it went to, when, and the last failure while it waits.
    email = models.EmailField(_("邮件地址"), blank=True)
    mailed_at = models.DateTimeField(_("邮件发出时间"), null=True, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    mail_error = models.CharField(_("发送失败原因"), max_length=300, blank=True)
    # Which sending task has taken the notice, and since when (reports.mail.claim): two workers
    # given the same notice (a retry and the scheduled sweep) must not both mail it.
    mail_claim = models.CharField(_("发送任务"), max_length=32, blank=True, editable=False)
    mail_claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notice_unread"),
            models.Index(fields=["mailed_at", "mail_attempts"], name="notice_unsent", condition=~Q(email="")),
        ]

    def __str__(self):
        return self.subject


class ExportJob(models.Model):
    """A file made outside the request (reports.exports): a report's PDF, or a quarter's approved
    reports as Word and PDF in one .zip. The page that asked shows its progress (done of total)
    and then the file; a failure keeps its reason, and the job can be run again."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF 文件")
        QUARTER = "quarter", _("已审定报告（Word 和 PDF）")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Failure(models.TextChoices):
        CONVERSION = "conversion", _("PDF 转换")
        OTHER = "other", _("其他")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE,
                                     related_name="+")
    # PDF: the report. QUARTER: the period (the reports are those the requester sees when it runs).
    report = models.ForeignKey(Report, verbose_name=_("报告"), null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    # Why it failed: where (the conversion, or anything else) and the technical detail; the page
    # words it in the reader's language.
    failure = models.CharField(_("失败环节"), max_length=16, choices=Failure.choices, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["pending", "running", "done", "failed"]),
                                   name="exportjob_status_valid"),
            models.CheckConstraint(condition=Q(kind="pdf", report__isnull=False) | Q(kind="quarter", year__isnull=False),
                                   name="exportjob_has_its_subject"),
        ]

    def __str__(self):
        return self.filename or self.get_kind_display()

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class StockPhrase(models.Model):
    """A phrase every body writes (现将有关情况报告如下, 坚决扛起全面从严治党主体责任): left out of
    the comparison of texts, so that sharing it is not copying (reports.quality.copies)."""

    text = models.CharField(_("常用语"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("不计入重复的常用语")
        verbose_name_plural = _("不计入重复的常用语")
        ordering = ["text"]

    def __str__(self):
        return self.text


class MeasureRule(models.Model):
    """A rule between two figures of one report (专题学习 ≤ 理论学习中心组学习会议), checked when
    both are filled in; a report breaking it is submitted only with a 说明 (reports.quality.figures)."""

    class Operator(models.TextChoices):
        AT_MOST = "le", "≤"
        LESS = "lt", "<"
        EQUAL = "eq", "="
        AT_LEAST = "ge", "≥"
        MORE = "gt", ">"

    left = models.ForeignKey(Measure, verbose_name=_("统计指标"), on_delete=models.CASCADE, related_name="+")
    operator = models.CharField(_("关系"), max_length=2, choices=Operator.choices, default=Operator.AT_MOST)
    right = models.ForeignKey(Measure, verbose_name=_("比较的统计指标"), on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("统计数校验规则")
        verbose_name_plural = _("统计数校验规则")
        ordering = ["left__name", "right__name"]
        constraints = [
            models.UniqueConstraint(fields=["left", "operator", "right"], name="measure_rule_unique"),
            models.CheckConstraint(condition=Q(operator__in=["le", "lt", "eq", "ge", "gt"]), name="measure_rule_operator_valid"),
            models.CheckConstraint(condition=~Q(left=models.F("right")), name="measure_rule_two_measures"),
        ]

    def __str__(self):
        return f"{self.left.name} {self.get_operator_display()} {self.right.name}"


class TextPrint(models.Model):
    """One written part of a report as the comparison of texts reads it (reports.quality.copies):
    its text as printed, and in TextBand the keys of its MinHash bands, so that the parts like a
    given one are found by an indexed lookup, among thousands of reports, instead of a scan."""

    report = models.ForeignKey(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="prints")
    # The report's body and period, copied here so that the band lookup needs no join to reports.
    organization = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    period_order = models.PositiveSmallIntegerField(_("期间"))
    ref = models.CharField(_("位置"), max_length=40)  # the editor's part: "item-12", "section-3", "opening"
    field = models.CharField(_("内容项"), max_length=24)
    text = models.TextField(_("文字"))

    class Meta:
        verbose_name = _("文字指纹")
        verbose_name_plural = _("文字指纹")
        indexes = [models.Index(fields=["report", "ref", "field"], name="textprint_part")]

    def __str__(self):
        return f"{self.report_id} {self.ref}"


class TextBand(models.Model):
    """One MinHash band of a TextPrint: two parts sharing a band are candidates for a copy."""

    print = models.ForeignKey(TextPrint, on_delete=models.CASCADE, related_name="bands")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    period_order = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()

    class Meta:
        verbose_name = _("文字指纹分段")
        verbose_name_plural = _("文字指纹分段")
        indexes = [
            models.Index(fields=["year", "period_order", "key"], name="textband_peers"),  # the same period's bodies
            models.Index(fields=["organization", "key"], name="textband_previous"),  # the body's own earlier reports
        ]

    def __str__(self):
        return str(self.key)


class CopiedShares:
    """The shares of a report's text found copied (previous_share, peer_share: 0 to 1), as the
    pages show them: in percent, marked past half the text as last time or a fifth as another body's.
    For the check as it runs (reports.quality.check.Quality) and as it was kept (ReportQuality)."""

    HIGH_PREVIOUS_SHARE = 0.5
    HIGH_PEER_SHARE = 0.2

    @property
    def previous_percent(self) -> int:
        return round(self.previous_share * 100)

    @property
    def peer_percent(self) -> int:
        return round(self.peer_share * 100)

    @property
    def previous_high(self) -> bool:
        return self.previous_share >= self.HIGH_PREVIOUS_SHARE

    @property
    def peer_high(self) -> bool:
        return self.peer_share >= self.HIGH_PEER_SHARE


class ReportQuality(CopiedShares, models.Model):
    """What the quality check last found in a report, kept for the overseer's list of the bodies
    below (reports.quality.summary): shares copied, warnings, figures explained."""

    report = models.OneToOneField(Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="quality")
    previous_share = models.FloatField(_("与本单位以前报告相同"), default=0)
    peer_share = models.FloatField(_("与其他单位相同"), default=0)
    blocking = models.PositiveIntegerField(_("待填写"), default=0)
    warnings = models.PositiveIntegerField(_("提醒"), default=0)
    figures = models.PositiveIntegerField(_("需说明的数字"), default=0)
    explained = models.PositiveIntegerField(_("已说明"), default=0)
    checked_at = models.DateTimeField(_("检查时间"))

    class Meta:
        verbose_name = _("报告质量")
        verbose_name_plural = _("报告质量")

    def __str__(self):
        return str(self.report)

    @property
    def unexplained(self) -> int:
        return max(self.figures - self.explained, 0)


class SubtreeBodies(models.Model):
    """How many reporting bodies the subtree of a body that has bodies below it holds, per warning
    days of their supervising bodies: kept by reports.tracking.tallies so that a province's board
    reads one row per body shown instead of counting the bodies below it."""

    node = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    warning_days = models.PositiveSmallIntegerField(_("提前提醒天数"))
    bodies = models.PositiveIntegerField(_("所属填报单位数"))

    class Meta:
        verbose_name = _("下级单位数（统计）")
        verbose_name_plural = _("下级单位数（统计）")
        indexes = [models.Index(fields=["node"], name="subtree_bodies_node")]

    def __str__(self):
        return f"{self.node_id}: {self.bodies}"


class SubtreeReports(models.Model):
    """The subtree's reports of one period, per warning days of their bodies' supervising bodies:
    how many were submitted, first submitted by the due date, 审定 and 签收 (reports.tracking.tallies).
    Never "overdue" or "pending": those follow from today and are derived when read."""

    node = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), null=True)
    warning_days = models.PositiveSmallIntegerField(_("提前提醒天数"))
    submitted = models.PositiveIntegerField(_("已报"), default=0)
    on_time = models.PositiveIntegerField(_("按时"), default=0)
    approved = models.PositiveIntegerField(_("已审定"), default=0)
    accepted = models.PositiveIntegerField(_("已签收"), default=0)
    in_review = models.PositiveIntegerField(_("审核中"), default=0)  # submitted, not yet 审定 nor returned

    class Meta:
        verbose_name = _("下级报送情况（统计）")
        verbose_name_plural = _("下级报送情况（统计）")
        indexes = [models.Index(fields=["node", "year"], name="subtree_reports_node_year")]

    def __str__(self):
        return f"{self.node_id} {self.year} {self.quarter}: {self.submitted}"


class SubtreeMeasures(models.Model):
    """The sum of one measure over the 签收ed quarterly reports of one period of every body below a
    body (not its own: reports.tracking.tallies): what the summary shows by default, read per body
    instead of added up from the province's figures. Kept only for 签收ed reports, which are locked: such a sum cannot
    disagree with its reports; the summary that counts reports not yet 签收ed adds them up live."""

    node = models.ForeignKey(Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    measure = models.ForeignKey(Measure, verbose_name=_("统计指标"), on_delete=models.CASCADE, related_name="+")
    total = models.DecimalField(_("合计"), max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("下级统计数合计（统计）")
        verbose_name_plural = _("下级统计数合计（统计）")
        indexes = [models.Index(fields=["node", "year"], name="subtree_measures_node_year")]

    def __str__(self):
        return f"{self.node_id} {self.year} {self.quarter} {self.measure_id}: {self.total}"


class SheetImport(models.Model):
    """An onboarding sheet as an administrator uploaded it (reports.onboarding.jobs): previewed by a
    task, row by row, then applied by another when they confirm it; and afterwards the record of
    who imported what, when, with what result."""

    class Kind(models.TextChoices):
        BODIES = "bodies", _("单位")
        PEOPLE = "people", _("成员")  # as the admin calls the list it imports into
        DUE_DATES = "due_dates", _("报送期限")

    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("预览中")
        PREVIEWED = "previewed", _("待确认")
        REFUSED = "refused", _("有被拒绝的行")
        IMPORTING = "importing", _("导入中")
        IMPORTED = "imported", _("已导入")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("表格"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    filename = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PREVIEWING)
    # The sheet's columns, and the rows of each kind ({"new": 3, "update": 1, …}) by the preview,
    # then by the import itself.
    headers = models.JSONField(_("列"), default=list)
    totals = models.JSONField(_("各类行数"), default=dict)
    error = models.CharField(_("原因"), max_length=500, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("表格导入记录")
        verbose_name_plural = _("表格导入记录")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.filename


class SheetImportRow(models.Model):
    """One row of a previewed sheet: its number in the sheet, what the import does with it, its cells
    and the columns it changes, or why it is refused."""

    class Kind(models.TextChoices):
        NEW = "new", _("新增")
        UPDATE = "update", pgettext_lazy("sheet row", "修改")
        SKIP = "skip", _("不变")
        INVALID = "invalid", _("被拒绝")
        ERROR = "error", _("出错")

    sheet = models.ForeignKey(SheetImport, verbose_name=_("表格"), on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("行号"))
    kind = models.CharField(_("结果"), max_length=16, choices=Kind.choices)
    cells = models.JSONField(_("内容"), default=dict)
    changes = models.JSONField(_("修改的列"), default=list)
    reasons = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("导入的行")
        verbose_name_plural = _("导入的行")
        ordering = ["sheet", "number"]
        indexes = [models.Index(fields=["sheet", "kind", "number"], name="sheetimportrow_kind")]

    def __str__(self):
        return f"{self.sheet_id}:{self.number}"
