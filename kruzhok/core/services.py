from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models

from kruzhok.core.models import AuditLog


def audit_log(
    *,
    action: str,
    obj: models.Model,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    data: dict[str, Any] | None = None,
) -> AuditLog:
    """Record `action` (namespaced, e.g. ``catalog.activity.created``) on `obj`."""
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditLog.objects.create(
        actor=user,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
    )
