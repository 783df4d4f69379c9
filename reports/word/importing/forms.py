"""The two forms of the import pages: what to import, and where it goes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.document.text import one_kind_of_line_break
from reports.models import QUARTERS, YEAR_MAX, YEAR_MIN

MAX_PASTED_CHARACTERS = 500_000  # some 300 pages; the request stays under Django's 5 MB


class PastedTextField(forms.CharField):
    """The pasted report: its length counted with each line break once, as the browser counts
    it (a form post sends \\r\\n), and no maxlength in the page, which would make the browser
    keep the first part of a paste without a word. Over the limit, the text is refused with a
    message and stays in the box."""

    default_error_messages = {
        "max_length": _("粘贴的文字有 %(show_value)d 个字符，最多 %(limit_value)d 个字符。"
                        "请删去不属于报告的内容，或上传 Word 文件。"),
    }

    def to_python(self, value):
        return one_kind_of_line_break(super().to_python(value))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class ImportSourceForm(forms.Form):
    file = forms.FileField(
        label=_("Word 文件"), required=False,
        widget=forms.ClearableFileInput(attrs={
            "accept": ".docx,.txt,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain",
        }),
        help_text=_(".docx 格式，不超过 10 MB。旧版 .doc 请先在 Word 或 WPS 中另存为 .docx。"),
    )
    text = PastedTextField(
        label=_("或粘贴文字"), required=False, strip=False, max_length=MAX_PASTED_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": _("把报告全文粘贴在这里：标题、一、（一）、一是……都会被识别。")}),
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("file") and not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("请选择一个 Word 文件，或粘贴报告的文字。"), code="empty")
        return cleaned


class ImportTargetForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("单位"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("年度"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=QUARTERS)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
