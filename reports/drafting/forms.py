"""Forms of the editor: one per kind of part, each cleaning its text in the one shared way."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.document.text import clean_text
from reports.document.tokens import UnknownMeasure, names_to_tokens, referenced_ids, token, tokens_to_names
from reports.drafting.editing import PART_FIELDS, fingerprint, part_values, token_fields
from reports.labels import ANNUAL, parse_period_key, period_key
from reports.models import GENERATED_SECTION_KINDS, Organization, Report, Section

# Longer than the longest paragraph of a real report (a pasted item of some 9,000 characters is
# real); past it, the text is refused with a message, never cut.
MAX_PARAGRAPH = 20_000


class PartForm(forms.Form):
    """Base of every part form: the version it was opened at, and what it showed then."""

    part_kind = None
    multiline_fields = ()
    measure_fields = ()  # fields in which ｛名称｝ stands for a measure: set from the part's kind

    base_version = forms.IntegerField(widget=forms.HiddenInput)
    base_fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.part_kind is not None:
            cls.measure_fields = token_fields(cls.part_kind)

    def __init__(self, *args, measures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.measures = list(measures)
        self.removed_characters = 0
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @classmethod
    def for_part(cls, obj, report, *, measures=(), data=None):
        """A form showing the part as it is now, based on the report's current version."""
        values = part_values(obj, cls.part_kind)
        names = {m.id: m.name for m in measures}
        initial = {
            field: tokens_to_names(value, names) if field in cls.measure_fields else value
            for field, value in values.items()
        }
        initial.update(base_version=report.version, base_fingerprint=fingerprint(values))
        return cls(data=data, initial=initial, measures=measures)

    def clean(self):
        cleaned = super().clean()
        self.removed_characters = sum(getattr(field, "removed", 0) for field in self.fields.values())
        ids_by_name = {m.name: m.id for m in self.measures}
        for field in self.measure_fields:
            if field in cleaned:
                try:
                    cleaned[field] = names_to_tokens(cleaned[field], ids_by_name)
                except UnknownMeasure as error:
                    self.add_error(
                        field,
                        forms.ValidationError(
                            _("没有名为“%(names)s”的统计数。请从“插入统计数”菜单选择，或先在右侧统计数面板中添加。"),
                            code="unknown_measure",
                            params={"names": "、".join(error.names)},
                        ),
                    )
                    continue
                # A token typed or posted as it is stored: only the report's own measures, so
                # that no page of the report names a measure it may not use.
                foreign = referenced_ids(cleaned[field]) - {m.id for m in self.measures}
                if foreign:
                    self.add_error(
                        field,
                        forms.ValidationError(
                            _("“%(tokens)s”不在本报告的统计数中。请删去，或从“插入统计数”菜单选择。"),
                            code="foreign_measure",
                            params={"tokens": "、".join(token(measure_id) for measure_id in sorted(foreign))},
                        ),
                    )
        return cleaned

    def values(self):
        return {field: self.cleaned_data[field] for field in PART_FIELDS[self.part_kind]}


class CleanTextField(forms.CharField):
    """Text as users type and paste it, with control characters removed (see reports.document.text).

    The length limit is the server's alone: a maxlength attribute would make the browser drop
    the end of a paste without a word, so the box takes everything and a text over the limit
    is refused with a message, still in the box."""

    default_error_messages = {
        "max_length": _("最多 %(limit_value)d 个字符，现有 %(show_value)d 个。请删减后再保存。"),
    }

    def __init__(self, *args, multiline=False, **kwargs):
        self.multiline = multiline
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 6}) if multiline else forms.TextInput()
        )
        super().__init__(*args, strip=False, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        text, removed = clean_text(value, multiline=self.multiline)
        self.removed = removed
        return text


class TitleForm(PartForm):
    part_kind = "title"
    title = CleanTextField(label=_("标题"), max_length=200, required=True)


class AddresseeForm(PartForm):
    part_kind = "addressee"
    addressee = CleanTextField(label=_("主送机关"), max_length=100, help_text=_("如：市委：。不需要时留空。"))


class OpeningForm(PartForm):
    part_kind = "opening"
    opening = CleanTextField(label=_("开头段"), max_length=MAX_PARAGRAPH, multiline=True,
                             help_text=_("每行一段。"))


class ClosingForm(PartForm):
    part_kind = "closing"
    closing = CleanTextField(label=_("结束语"), max_length=100, help_text=_("如：特此报告。不需要时留空。"))


class SignatureForm(PartForm):
    part_kind = "signature"
    signature_name = CleanTextField(label=_("署名"), max_length=100)
    signature_date = forms.DateField(label=_("成文日期"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    signature_layout = forms.ChoiceField(label=_("落款格式"), choices=Report.SignatureLayout.choices)


class SectionForm(PartForm):
    part_kind = "section"
    title = CleanTextField(label=_("标题"), max_length=100, required=True)
    kind = forms.ChoiceField(label=_("类别"), choices=Section.Kind.choices,
                             help_text=_("“存在的主要问题”审定后列入问题整改台账，“下一步的打算”成为下季度的落实清单。"))
    lead = CleanTextField(label=_("导语"), max_length=MAX_PARAGRAPH, multiline=True,
                          help_text=_("第一项之前不编号的文字，可以留空。"))

    @classmethod
    def for_part(cls, obj, report, **kwargs):
        """A typed section offers the typed kinds; a generated one (上季度问题整改情况…) keeps its own:
        it is printed or not from its panel (editing.save_part holds the same rule)."""
        form = super().for_part(obj, report, **kwargs)
        form.fields["kind"].choices = [(value, label) for value, label in Section.Kind.choices
                                       if (value in GENERATED_SECTION_KINDS) == obj.generated
                                       and (not obj.generated or value == obj.kind)]
        return form


class HeadingForm(PartForm):
    part_kind = "heading"
    title = CleanTextField(label=_("小标题"), max_length=200, required=True,
                           help_text=_("不必写“（一）”，编号自动生成。"))
    lead = CleanTextField(label=_("导语"), max_length=MAX_PARAGRAPH, multiline=True,
                          help_text=_("小标题之后、第一项之前不编号的文字，可以留空。"))


class ItemForm(PartForm):
    part_kind = "item"
    text = CleanTextField(label=_("内容"), max_length=MAX_PARAGRAPH, multiline=True,
                          help_text=_("不必写“一是”，编号自动生成。统计数写作｛名称｝，可从菜单插入。"))


PART_FORMS = {form.part_kind: form for form in (TitleForm, AddresseeForm, OpeningForm, ClosingForm, SignatureForm,
                                           SectionForm, HeadingForm, ItemForm)}


# The 起草方式 of an annual report drafted from the year's approved quarterly reports.
FROM_QUARTERS = "quarters"


class NewReportForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("单位"), queryset=Organization.objects.none(), empty_label=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=parse_period_key, choices=[
        *((period_key(quarter), name) for quarter, name in Report._meta.get_field("quarter").choices),
        (period_key(ANNUAL), _("年度报告（全年）")),
    ])
    # The skeleton, the four quarters (an annual report), or a copy of one of the body's reports.
    copy_from = forms.ChoiceField(label=_("起草方式"), required=False)

    def __init__(self, *args, organizations, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.sources = {str(report.pk): report for report in sources}
        self.fields["copy_from"].choices = [
            ("", _("从标准框架开始（三个部分：主要做法、存在的主要问题、下一步的打算）")),
            (FROM_QUARTERS, _("从本年度各季度已审定的报告汇总（仅年度报告）")),
            *((pk, _("复制 %(title)s") % {"title": report.title}) for pk, report in self.sources.items()),
        ]
        if isinstance(self.initial.get("copy_from"), Report):
            self.initial["copy_from"] = str(self.initial["copy_from"].pk)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_copy_from(self):
        value = self.cleaned_data["copy_from"]
        return self.sources[value] if value in self.sources else value or None

    def clean(self):
        cleaned = super().clean()
        source, organization = cleaned.get("copy_from"), cleaned.get("organization")
        if isinstance(source, Report) and organization and source.organization_id != organization.id:
            self.add_error("copy_from", forms.ValidationError(_("只能复制本单位以前的报告。"), code="other_body"))
        if source == FROM_QUARTERS and "quarter" in cleaned and cleaned["quarter"] is not ANNUAL:
            self.add_error("copy_from", forms.ValidationError(_("只有年度报告可以从各季度汇总，请在“季度”中选择年度报告。"),
                                                              code="not_annual"))
        return cleaned


class MeasureValueForm(forms.Form):
    value = forms.DecimalField(label=_("数值"), min_value=0, max_digits=14, decimal_places=2, required=False,
                               error_messages={"invalid": _("请输入数字，如 3 或 2.5。"),
                                               "max_digits": _("数值太大，请检查是否输入有误。"),
                                               "max_whole_digits": _("数值太大，请检查是否输入有误。"),
                                               "max_decimal_places": _("最多保留两位小数。")})


class NewMeasureForm(forms.Form):
    measure = forms.ModelChoiceField(label=_("从指标库选择"), queryset=None, required=False)
    name = CleanTextField(label=_("或新建：名称"), max_length=100)
    unit = CleanTextField(label=pgettext_lazy("measure unit", "单位"), max_length=10)

    def __init__(self, *args, catalogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = catalogue

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("measure") and not (cleaned.get("name") and cleaned.get("unit")):
            raise forms.ValidationError(_("请从指标库选择一项，或填写新统计数的名称和单位。"), code="incomplete")
        return cleaned
