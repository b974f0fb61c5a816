from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from kruzhok.core.models import AuditLog


def audit_log(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    actor: AbstractBaseUser | AnonymousUser | None = None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Record `action` (namespaced, e.g. ``catalog.activity.created``).

    The subject is a model instance (`obj`) or, for actions on something that is not one row —
    an import of a whole file, say — an explicit `object_type` and `object_id`.
    """
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    if not object_type:
        raise ValueError("audit_log needs obj or object_type")
    return AuditLog.objects.create(
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        data=data or {},
    )
