"""Why a leader's Word file cannot be read as suggestions, in words the drafter can act on."""

from django.utils.translation import gettext_lazy as _

from reports.errors import Refusal
from reports.word.importing import errors as import_errors


class ReviewFileRefused(Refusal):
    """The file is not read: not a Word file, unsafe, not this report, or too heavily marked.
    Nothing is created; `message` says why (Chinese, through gettext)."""


# Revisions (w:ins, w:del, moves) in one file. A leader's remarks on a report run to some tens, a
# thorough rewrite to a few hundred; thousands are a file compared against another or built to cost work.
MAX_REVISIONS = 2000
# A file is this report's when at least this share of the report's parts is found in it, and at
# least this share of the file's own text is the report's.
MIN_PARTS_FOUND = 0.5

TOO_MANY_REVISIONS = _("修订过多（超过 2000 处），不像是对这份报告的修改意见，为安全起见不能读取。"
                       "请在 Word 中接受或拒绝其中一部分修订后再上传。")
NOT_THIS_REPORT = _("这个 Word 文件与本报告对不上：报告的 %(parts)d 处文字中只找到 %(found)d 处。"
                    "请上传从本报告导出、由领导修改后的文件。")
TOO_MUCH_TEXT = _("文件的文字比本报告多出数倍，不是本报告修改后的文件。请上传从本报告导出、由领导修改后的文件。")
NOTHING_READ = _("文件中没有正文文字，读不出修改意见。")
# The importer's own refusals, where they suggest pasting text instead: here only the file will do.
TOO_LARGE = _("文件超过 10 MB，不能读取。请删去其中的图片后再上传。")
PDF = _("这是 PDF 文件，不是 Word 文档。请上传领导修改后的 .docx 文件。")
NOT_DOCX = _("不是 Word 文档（.docx），读不出修改意见。请上传领导修改后的 .docx 文件。")
OWN_MESSAGES = ((import_errors.TOO_LARGE, TOO_LARGE), (import_errors.PDF, PDF), (import_errors.NOT_DOCX, NOT_DOCX))


def refused_as_review(refused: import_errors.ImportRefused) -> ReviewFileRefused:
    """The importer's refusal of the file (package.py: sniffing, zip bomb, unsafe XML …) as this one's."""
    # By identity: a lazy string compared by value would be translated first.
    message = next((own for theirs, own in OWN_MESSAGES if refused.message is theirs), refused.message)
    return ReviewFileRefused(message, refused.code)
