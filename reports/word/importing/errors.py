"""Why an input was refused, in words a drafter can act on."""

from django.utils.translation import gettext_lazy as _

from reports.errors import Refusal

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the file as uploaded
MAX_EXPANDED_BYTES = 50 * 1024 * 1024  # all its parts unzipped


class ImportRefused(Refusal):
    """The input cannot be imported; `message` says why (Chinese, through gettext)."""


# The limits are written into the strings: a lazy string formatted here would be translated
# once, at import time, in whatever language was active then.
TOO_LARGE = _("文件超过 10 MB，不能导入。请删去其中的图片后再试，或复制文字粘贴导入。")
EMPTY = _("文件是空的。")
OLD_WORD = _("这是旧版 Word 文档（.doc）。请在 Word 或 WPS 中“另存为” .docx 格式后再导入。")
ENCRYPTED = _("文件设置了打开密码（已加密），无法读取。请在 Word 中取消密码后另存为 .docx 再导入。")
MACROS = _("这是含宏的 Word 文档（.docm），为安全起见不能导入。请“另存为”普通的 .docx 格式后再导入。")
PDF = _("这是 PDF 文件，不是 Word 文档。请上传 .docx 文件，或复制 PDF 中的文字粘贴导入。")
IMAGE = _("这是图片，不是 Word 文档。请上传 .docx 文件。")
RTF = _("这是 RTF 文件。请在 Word 或 WPS 中“另存为” .docx 格式后再导入。")
SPREADSHEET = _("这是 Excel 表格，不是 Word 文档。请上传 .docx 文件。")
SLIDES = _("这是 PowerPoint 演示文稿，不是 Word 文档。请上传 .docx 文件。")
ODF = _("这是 OpenDocument（.odt）文件。请在 WPS 或 Word 中“另存为” .docx 格式后再导入。")
NOT_DOCX = _("不是 Word 文档（.docx），无法导入。请上传 .docx 文件，或粘贴文字。")
CORRUPT = _("文件不完整或已损坏，无法读取。请在 Word 中打开并重新保存后再导入。")
ZIP_BOMB = _("文件解压后过大（超过 50 MB），为安全起见不能导入。")
TOO_MANY_FILE_PARTS = _("文件由过多的部件组成（超过 2000 个），不是一份普通的 Word 文档，为安全起见不能导入。")
TOO_COMPLEX = _("文件的内部结构过于复杂（超过 500000 个 XML 元素），远超一份报告，为安全起见不能导入。")
TOO_MUCH_TEXT = _("文件的文字过多（超过 1000000 字），远超一份报告，不能导入。")
TOO_MANY_PARAGRAPHS = _("文件的段落过多（超过 10000 段），远超一份报告，不能导入。")
TOO_MANY_PARTS = _("内容共超过 2000 个部分、小标题和条目，超出一份报告能容纳的数量，不能导入。请删去多余的内容后再试。")
UNSAFE_XML = _("文件含有不安全的 XML 内容（文档类型定义或外部实体），为安全起见不能导入。")
NOT_TEXT = _("文本文件不是 UTF-8 编码，无法读取。请另存为 UTF-8 编码后再导入，或直接粘贴文字。")
NOTHING_FOUND = _("没有找到可以导入的文字。")
