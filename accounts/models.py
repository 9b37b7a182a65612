"""Users with a platform role. A custom user model from the first migration, so it can grow later."""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from common.permissions import Role


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

    objects = KubePolarisUserManager()

    class Meta:
        ordering = ["id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Superusers are platform admins; platform admins may use the Django admin.
        if self.is_superuser:
            self.role = Role.ADMIN
        self.is_staff = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.username


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
