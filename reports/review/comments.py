"""Reviewers' comments: on the whole report or on one part, attached to the submission read."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from reports.access import can_comment
from reports.document.model import Document, build_document
from reports.document.snapshots import snapshot_document
from reports.document.text import clean_text
from reports.drafting.checks import part_places
from reports.errors import Refusal
from reports.models import Comment, Membership, Report

MAX_COMMENT = 2000


class CommentRefused(Refusal):
    """A comment not saved: the user may not comment now, or the text is empty or too long."""


@transaction.atomic
def add_comment(*, user: AbstractBaseUser, report: Report, text: str, ref: str = "", place: str = "") -> Comment:
    text, _removed = clean_text(text)
    if not can_comment(user, report):
        raise CommentRefused(_("只有本单位的审核人可以在审核期间批注（报送后：上级单位的督办人在签收前）。"))
    if not text:
        raise CommentRefused(_("批注不能为空。"))
    if len(text) > MAX_COMMENT:
        raise CommentRefused(_("批注不能超过 %(limit)d 个字符。") % {"limit": MAX_COMMENT})
    return Comment.objects.create(report=report, submission=report.submissions.order_by("-number").first(),
                                  ref=ref, place=place, author=user, text=text)


def current_document(report: Report) -> Document:
    """The text a reviewer comments on: the latest submission, or the report as it stands."""
    latest = report.submissions.order_by("-number").first()
    return snapshot_document(latest) if latest else build_document(report)


def comment_targets(document: Document) -> list[tuple[str, str]]:
    """The parts a comment can be about, as the reviewer sees them: (ref, "一、主要做法 （一） 二是")."""
    places = part_places(document)
    seen, targets = set(), []
    for paragraph in document.paragraphs:
        for ref, _runs in paragraph.groups():
            if ref and ref not in seen and ref in places:
                seen.add(ref)
                targets.append((ref, places[ref]))
    return targets


def latest_comments(report: Report) -> list[Comment]:
    """Comments on the latest submission: what the drafter has to answer now."""
    latest = report.submissions.order_by("-number").first()
    if latest is None:
        return []
    return marked_from_above(report, list(latest.comments.select_related("author")))


def marked_from_above(report: Report, comments: list[Comment]) -> list[Comment]:
    """Each comment marked `from_above` when its author is no member of the report's body (the
    overseer it was 报送ed to): the drafters read it apart from their own leaders' remarks."""
    members = set(Membership.objects.filter(organization_id=report.organization_id).values_list("user_id", flat=True))
    for comment in comments:
        comment.from_above = comment.author_id not in members
    return comments
