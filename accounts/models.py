"""Users with a platform role. A custom user model from the first migration, so it can grow later.

Access changes (role, active flag, password) bump `session_epoch`: tokens carry the epoch they were
issued under and `BearerTokenAuthentication` refuses any other, and the user's open sockets are ended
on every server process once the change is committed. One mechanism here, so the API, the Django
admin and `manage.py` all get it.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, transaction
from django.db.models import F
from django.utils.crypto import salted_hmac

from common.permissions import Role

# The fields whose change ends every session of the user.
ACCESS_FIELDS = ("role", "scope", "is_active", "password")
ACCESS_CHANGED = "Your access changed; log in again"


class KubePolarisUserManager(UserManager):
    def create_superuser(self, username: str, email: str | None = None, password: str | None = None,
                         **extra_fields: Any):
        """`manage.py createsuperuser` makes an admin of the platform too."""
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class Scope(models.TextChoices):
    """`all`: the global role on every cluster. `granted`: only what the user's grants name."""

    ALL = "all", "All clusters"
    GRANTED = "granted", "Granted clusters and namespaces"


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    scope = models.CharField(
        max_length=16, choices=Scope.choices, default=Scope.ALL,
        help_text="'granted' once the user has been given a grant; removing grants never sets it back to 'all'.",
    )
    session_epoch = models.PositiveIntegerField(
        default=0, editable=False,
        help_text="Raised whenever the role, scope, active flag or password changes; older tokens are refused.",
    )

    objects = KubePolarisUserManager()

    class Meta:
        ordering = ["id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Superusers are platform admins; platform admins may use the Django admin.
        if self.is_superuser:
            self.role = Role.ADMIN
        self.is_staff = self.role == Role.ADMIN
        update_fields = kwargs.get("update_fields")
        changed = self._changes_access(update_fields)
        if changed:
            # Atomic in the database, so two concurrent changes both count.
            self.session_epoch = F("session_epoch") + 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "session_epoch"}
        elif not self._state.adding and self.pk is not None and update_fields is None:
            # Never write back an epoch read before someone else's change: that would revive old tokens.
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name != "session_epoch"]
        super().save(*args, **kwargs)
        if changed:
            self.refresh_from_db(fields=["session_epoch"])
            transaction.on_commit(partial(_end_sessions, self.pk, ACCESS_CHANGED))

    def _changes_access(self, update_fields: Any) -> bool:
        """Does this save change the role, the active flag or the password of a stored user?"""
        if self._state.adding or self.pk is None:
            return False
        watched = set(ACCESS_FIELDS) if update_fields is None else set(ACCESS_FIELDS) & set(update_fields)
        if not watched:
            return False
        stored = type(self)._base_manager.filter(pk=self.pk).values(*ACCESS_FIELDS).first()
        if stored is None:
            return False
        # Django re-hashes a password on login when its hasher settings change (`check_password`'s
        # setter: save(update_fields=["password"]) with `_password` cleared): not a password change.
        rehash = set(update_fields or ()) == {"password"} and self._password is None
        return any(stored[name] != getattr(self, name) for name in watched if not (name == "password" and rehash))

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django admin sessions end with the same changes as API tokens (a reactivated admin logs in
        # again). Overrides the private helper behind get_session_auth_hash and its fallback keys.
        key_salt = "accounts.models.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def __str__(self) -> str:
        return self.username


def _end_sessions(user_id: Any, message: str) -> None:
    from accounts.sessions import end_live_sessions_quietly

    end_live_sessions_quietly(user_id, message)


class Grant(models.Model):
    """A right on one cluster (namespace null) or one namespace of it, with its own role (viewer or operator)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    cluster = models.ForeignKey("clusters.Cluster", on_delete=models.CASCADE, related_name="grants")
    namespace = models.CharField(max_length=63, null=True, blank=True,
                                 help_text="Empty: the whole cluster (nodes and every namespace)")
    role = models.CharField(max_length=16, choices=[(Role.VIEWER, "Viewer"), (Role.OPERATOR, "Operator")])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # Two constraints: NULLs are distinct in a plain unique constraint (one whole-cluster grant per user).
            models.UniqueConstraint(fields=["user", "cluster", "namespace"], name="grant_unique_namespace"),
            models.UniqueConstraint(fields=["user", "cluster"], condition=models.Q(namespace__isnull=True),
                                    name="grant_unique_whole_cluster"),
        ]

    def __str__(self) -> str:
        where = f"{self.cluster}/{self.namespace}" if self.namespace else f"{self.cluster} (whole cluster)"
        return f"{self.user}: {self.role} on {where}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Whoever adds a grant (API or Django admin) scopes the user: from now on only grants count."""
        self.namespace = self.namespace or None
        super().save(*args, **kwargs)
        User.objects.filter(pk=self.user_id, scope=Scope.ALL).update(scope=Scope.GRANTED)

    def clean(self) -> None:
        """The Django admin's checks (the API's serializer and service say the same)."""
        from django.core.exceptions import ValidationError

        from common.names import name_problem

        problem = name_problem(self.namespace, "namespace") if self.namespace else None
        if problem:
            raise ValidationError({"namespace": problem})
        if self.user_id and self.user.role == Role.ADMIN:
            raise ValidationError("Admins have every right on every cluster: a grant would not narrow them.")
