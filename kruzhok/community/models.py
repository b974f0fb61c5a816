"""What families say about an activity: ratings (one per person, editable) and comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kruzhok.accounts.models import signature
from kruzhok.catalog.models import Activity

MAX_TEXT = 4000


class Rating(models.Model):
    """One person's 1–5 for one activity; changing it replaces it. The activity keeps the
    average and the count (Activity.rating, rating_count), which cards and ranking read."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField(_("оценка"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("оценка")
        verbose_name_plural = _("оценки")
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="rating_one_per_user"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.stars}/5"


class Comment(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("опубликован")
        HELD = "held", _("ждёт проверки")  # a new account's comment with a link
        HIDDEN = "hidden", _("скрыт по жалобам")  # reported by several people: an editor decides
        REMOVED = "removed", _("удалён редактором")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
    # A deleted account's comments stay, signed «удалённый пользователь».
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comments"
    )
    text = models.TextField(_("отзыв"), max_length=MAX_TEXT)
    # The rating given with this comment, shown beside it (the person's current one is in Rating).
    stars = models.PositiveSmallIntegerField(_("оценка"), null=True, blank=True)
    status = models.CharField(_("статус"), max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    created_at = models.DateTimeField(auto_now_add=True)
    # The editor's last decision on a held or hidden comment (the audit log keeps them all).
    moderated_at = models.DateTimeField(_("решение редактора"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("редактор"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderation_reason = models.TextField(_("причина удаления"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("отзыв")
        verbose_name_plural = _("отзывы")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["activity", "status", "created_at"], name="comment_activity_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__isnull=True) | models.Q(stars__gte=1, stars__lte=5),
                name="comment_stars_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def signature(self) -> str:
        """The author's public name, or «удалённый пользователь» once the account is gone."""
        return signature(self.author)

    @property
    def answer_or_none(self) -> CommentAnswer | None:
        """The organization's answer, or None (the reverse one-to-one raises when there is none)."""
        try:
            return self.answer
        except CommentAnswer.DoesNotExist:
            return None

    @property
    def star_marks(self) -> str:
        return "★" * (self.stars or 0)


class CommentReport(models.Model):
    """Someone signed in says a comment breaks the rules; one report per person and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("причина"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("жалоба на отзыв")
        verbose_name_plural = _("жалобы на отзывы")
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="report_one_per_user")]

    def __str__(self) -> str:
        return self.reason or str(_("без причины"))


class CommentAnswer(models.Model):
    """The organization's official answer to a comment: one per comment, editable by its members."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="answer")
    organization = models.ForeignKey(
        "catalog.Organization", on_delete=models.CASCADE, related_name="comment_answers"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="comment_answers"
    )
    text = models.TextField(_("ответ организации"), max_length=MAX_TEXT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ответ организации")
        verbose_name_plural = _("ответы организаций")

    def __str__(self) -> str:
        return self.text[:60]
