"""Reviewers' comments: on the whole report or on one part, attached to the submission read."""

from django.db import transaction
from django.utils.translation import gettext as _

from reports.access import can_comment
from reports.document.text import clean_text
from reports.models import Comment

MAX_COMMENT = 2000


class CommentRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@transaction.atomic
def add_comment(*, user, report, text, ref="", place=""):
    text, _removed = clean_text(text)
    if not can_comment(user, report):
        raise CommentRefused(_("只有本单位的审核人可以在审核期间批注。"))
    if not text:
        raise CommentRefused(_("批注不能为空。"))
    if len(text) > MAX_COMMENT:
        raise CommentRefused(_("批注不能超过 %(limit)d 个字符。") % {"limit": MAX_COMMENT})
    return Comment.objects.create(report=report, submission=report.submissions.order_by("-number").first(),
                                  ref=ref, place=place, author=user, text=text)


def latest_comments(report):
    """Comments on the latest submission: what the drafter has to answer now."""
    latest = report.submissions.order_by("-number").first()
    if latest is None:
        return []
    return list(latest.comments.select_related("author"))
