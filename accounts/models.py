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


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

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
