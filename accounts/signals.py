"""A deleted user's open sockets end on every process, however the user was deleted (API, admin bulk delete)."""
from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.models import User
from accounts.sessions import end_live_sessions_quietly

ACCOUNT_REMOVED = "Your account was removed"


@receiver(post_delete, sender=User, dispatch_uid="accounts.end_sessions_of_deleted_user")
def end_sessions_of_deleted_user(sender: type[User], instance: User, **kwargs: Any) -> None:
    """A receiver (not `User.delete`) because queryset deletes, like the admin's bulk action, skip `delete()`."""
    transaction.on_commit(partial(end_live_sessions_quietly, instance.pk, ACCOUNT_REMOVED))
