"""Writes of comments, ratings and reports: each in one transaction with the activity's average
and its search document, so a card never shows a rating its page does not."""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kruzhok.accounts import permissions
from kruzhok.accounts.models import User
from kruzhok.catalog.models import Activity
from kruzhok.community.models import Comment, CommentAnswer, CommentReport, Rating
from kruzhok.core.emails import send_mail
from kruzhok.core.services import audit_log
from kruzhok.search.index import index_activities

# Anything a browser or a mail program would turn into a link.
LINK = re.compile(r"(https?://|www\.|\b[\w-]+\.(ru|рф|com|net|org|su|info|online|site|pro)\b)", re.IGNORECASE)


class Refused(Exception):
    """A write the rules do not allow: the message says why, in the user's language."""


def _is_sandboxed(user: User) -> bool:
    """An account younger than COMMENT_SANDBOX_DAYS: its comments with links wait for an editor."""
    return timezone.now() - user.date_joined < timedelta(days=settings.COMMENT_SANDBOX_DAYS)


def _check_rate(user: User) -> None:
    since = timezone.now() - timedelta(hours=1)
    recent = Comment.objects.filter(author=user, created_at__gte=since).count()
    if recent >= settings.COMMENTS_PER_HOUR:
        raise Refused(
            _(
                "Слишком много отзывов за час: не больше %(n)s. Попробуйте позже — текст можно сохранить у себя."
            )
            % {"n": settings.COMMENTS_PER_HOUR}
        )


def refresh_rating(activity_id: int) -> None:
    """Recount the activity's average and re-index it (inside the caller's transaction)."""
    found = Rating.objects.filter(activity_id=activity_id).aggregate(average=Avg("stars"), count=Count("id"))
    count = int(found["count"] or 0)
    average = round(float(found["average"]), 2) if count else None
    # update(): a rating is not an edit of the entry (no signals, no «изменено» for the provider).
    Activity.objects.filter(pk=activity_id).update(rating=average, rating_count=count)
    index_activities([activity_id])


def rate(user: User, activity: Activity, stars: int | None) -> None:
    """Set, change or (None) withdraw this person's rating of the activity (the average follows
    through the Rating signals, see apps.py)."""
    with transaction.atomic():
        if stars is None:
            Rating.objects.filter(activity=activity, user=user).delete()
        else:
            Rating.objects.update_or_create(activity=activity, user=user, defaults={"stars": stars})


def post_comment(user: User, activity: Activity, text: str, stars: int | None) -> Comment | None:
    """A comment (when there is text) and the rating given with it (when there is one).

    Returns the comment, or None when only a rating was given. Raises Refused when the person
    posted too much in the last hour; nothing is written then."""
    text = text.strip()
    with transaction.atomic():
        comment = None
        if text:
            _check_rate(user)
            held = _is_sandboxed(user) and LINK.search(text) is not None
            comment = Comment.objects.create(
                activity=activity,
                author=user,
                text=text,
                stars=stars,
                status=Comment.Status.HELD if held else Comment.Status.PUBLISHED,
            )
        if stars is not None:
            rate(user, activity, stars)
    return comment


def report_comment(user: User, comment: Comment, reason: str) -> bool:
    """Record the report; the comment is hidden once COMMENT_REPORTS_TO_HIDE different people
    reported it, until an editor decides. Returns whether this report is new (one's own comment
    cannot be reported)."""
    if comment.author_id == user.pk:
        return False
    with transaction.atomic():
        _report, created = CommentReport.objects.get_or_create(
            comment=comment, reporter=user, defaults={"reason": reason.strip()[:500]}
        )
        reporters = CommentReport.objects.filter(comment=comment).count()
        if reporters >= settings.COMMENT_REPORTS_TO_HIDE and comment.status == Comment.Status.PUBLISHED:
            Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.HIDDEN)
    return created


# --- official answers and editors' decisions -------------------------------------------------


def comment_answer_save(*, comment: Comment, user: User, text: str) -> CommentAnswer:
    """The organization's one answer to a comment, written or changed by any of its members."""
    text = text.strip()
    if not text:
        raise Refused(_("Напишите ответ."))
    organization_id = comment.activity.organization_id
    if permissions.membership_role(user, organization_id) is None:
        raise Refused(_("Отвечать от имени организации могут только её сотрудники."))
    if comment.status != Comment.Status.PUBLISHED:
        raise Refused(_("Отвечать можно только на опубликованный отзыв."))
    with transaction.atomic():
        answer, created = CommentAnswer.objects.select_for_update().get_or_create(
            comment=comment,
            defaults={"organization_id": organization_id, "author": user, "text": text},
        )
        if not created:
            answer.text = text
            answer.author = user
            answer.save(update_fields=["text", "author", "updated_at"])
        audit_log(
            action="community.comment.answered" if created else "community.comment.answer_edited",
            obj=comment,
            actor=user,
            data={"organization": organization_id},
        )
    return answer


def _decide(comment: Comment, editor: User, allowed: tuple[str, ...]) -> tuple[Comment, str]:
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("author", "activity")
        .get(pk=comment.pk)
    )
    if locked.status not in allowed:
        raise Refused(_("С этим отзывом так поступить нельзя: его статус уже изменился."))
    previous = locked.status
    locked.moderated_by = editor
    locked.moderated_at = timezone.now()
    return locked, previous


def _mail_author(comment: Comment, template: str) -> None:
    """Queued in the decision's transaction: the mail exists exactly when the decision does."""
    author = comment.author
    if author is None or author.deleted_at or not author.is_active or not author.email:
        return
    send_mail(
        template=template,
        # A comment is held once (when it is written) and decided once.
        key=f"{template.rpartition('/')[2]}:{author.pk}:{comment.pk}",
        to=author.email,
        context={"user": author, "comment": comment, "activity": comment.activity},
        language=author.language,
        category="comments",
    )


def comment_publish(*, comment: Comment, editor: User) -> Comment:
    """A held comment (a new account's, with a link) goes public; its author is told."""
    with transaction.atomic():
        locked, _previous = _decide(comment, editor, (Comment.Status.HELD,))
        locked.status = Comment.Status.PUBLISHED
        locked.moderation_reason = ""
        locked.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_reason"])
        audit_log(action="community.comment.published", obj=locked, actor=editor)
        _mail_author(locked, "emails/comment_published")
    return locked


def comment_restore(*, comment: Comment, editor: User) -> Comment:
    """A comment hidden by reports was fine: it shows again, and the reports are dismissed (so
    the same reporters cannot hide it again at once)."""
    with transaction.atomic():
        locked, _previous = _decide(comment, editor, (Comment.Status.HIDDEN,))
        dismissed = CommentReport.objects.filter(comment=locked).count()
        CommentReport.objects.filter(comment=locked).delete()
        locked.status = Comment.Status.PUBLISHED
        locked.moderation_reason = ""
        locked.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_reason"])
        audit_log(action="community.comment.restored", obj=locked, actor=editor, data={"reports": dismissed})
    return locked


def comment_remove(*, comment: Comment, editor: User, reason: str) -> Comment:
    reason = reason.strip()[:2000]
    if not reason:
        raise Refused(_("Напишите причину удаления."))
    with transaction.atomic():
        locked, previous = _decide(
            comment, editor, (Comment.Status.HELD, Comment.Status.HIDDEN, Comment.Status.PUBLISHED)
        )
        locked.status = Comment.Status.REMOVED
        locked.moderation_reason = reason
        locked.save(update_fields=["status", "moderated_by", "moderated_at", "moderation_reason"])
        audit_log(
            action="community.comment.removed",
            obj=locked,
            actor=editor,
            data={"was": previous, "reason": reason},
        )
        if previous == Comment.Status.HELD:
            _mail_author(locked, "emails/comment_removed")
    return locked
