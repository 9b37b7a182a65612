"""Reads of users."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Grant, User
from common.errors import NotFound


def user_list(*, search: str | None = None) -> QuerySet[User]:
    users = User.objects.order_by("id")
    if search:
        users = users.filter(Q(username__icontains=search) | Q(email__icontains=search))
    return users


def user_get(*, user_id: int | str) -> User:
    user = User.objects.filter(pk=user_id).first() if str(user_id).isdigit() else None
    if user is None:
        raise NotFound(f"User {user_id} not found")
    return user


def grant_list(*, user: User) -> QuerySet[Grant]:
    return Grant.objects.filter(user=user).order_by("id")
