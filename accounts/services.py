"""Actions on users and their sessions."""
from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import exceptions

from accounts import lockout
from accounts.models import Grant, User
from accounts.sessions import end_live_sessions
from accounts.tokens import SessionToken
from common.errors import Conflict, InvalidRequest, NotFound, Unauthenticated
from common.permissions import Role

WRONG_CREDENTIALS = "Invalid username or password"


def login(*, username: str, password: str, address: str = "") -> tuple[User, SessionToken]:
    """One answer for every wrong credential: which part was wrong is not said.

    Behind the login lock (`accounts.lockout`): a locked username or client `address` raises
    `LoginLocked` (429) whatever the password.
    """
    user = lockout.authenticate(username=username, password=password, address=address)
    if user is None:
        raise Unauthenticated(WRONG_CREDENTIALS)
    update_last_login(None, user)
    return user, SessionToken.for_user(user)


def revoke_token(*, token: SessionToken) -> None:
    token.blacklist()


def logout(*, user: User, token: SessionToken) -> None:
    """Revoke the token and end the user's live sockets: a logged-out session keeps no open terminal."""
    revoke_token(token=token)
    end_live_sessions(user.pk, "Logged out")


def refresh_token(*, user: User, token: SessionToken) -> SessionToken:
    """A new token for the same user; the presented one is revoked."""
    revoke_token(token=token)
    return SessionToken.for_user(user)


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({"password": list(exc.messages)}) from exc


def _would_lose_last_admin(user: User, *, new_role: str | None = None, new_active: bool | None = None) -> bool:
    if user.role != Role.ADMIN or not user.is_active:
        return False
    stays_admin = (new_role in (None, Role.ADMIN)) and new_active in (None, True)
    if stays_admin:
        return False
    return not User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists()


@transaction.atomic
def create_user(*, username: str, password: str, email: str = "", role: str = Role.VIEWER,
                is_active: bool = True) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"A user named '{username}' already exists")
    user = User(username=username, email=email, role=role, is_active=is_active)
    _check_password(password, user)
    user.set_password(password)
    try:
        user.save()
    except IntegrityError as exc:
        raise Conflict(f"A user named '{username}' already exists") from exc
    return user


@transaction.atomic
def update_user(*, user: User, data: dict[str, Any]) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if _would_lose_last_admin(user, new_role=data.get("role"), new_active=data.get("is_active")):
        raise InvalidRequest(f"'{user.username}' is the last active admin and cannot be demoted or deactivated")
    username = data.get("username")
    if username and User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        raise Conflict(f"A user named '{username}' already exists")
    for field in ("username", "email", "role", "scope", "is_active"):
        if field in data:
            setattr(user, field, data[field])
    if data.get("password"):
        _check_password(data["password"], user)
        user.set_password(data["password"])
    user.save()  # a changed role, active flag or password ends the user's tokens and sockets (User.save)
    return user


@transaction.atomic
def delete_user(*, user: User) -> None:
    user = User.objects.select_for_update().get(pk=user.pk)
    if _would_lose_last_admin(user, new_active=False):
        raise InvalidRequest(f"'{user.username}' is the last active admin and cannot be deleted")
    user.delete()  # the user's open sockets end after commit (accounts.signals)


@transaction.atomic
def create_grant(*, user: User, cluster_id: int, namespace: str | None, role: str) -> Grant:
    """Give `user` a role on a cluster (namespace None) or one namespace of it; the user becomes scoped."""
    from clusters.models import Cluster

    if user.role == Role.ADMIN:
        raise exceptions.ValidationError({"user": [f"'{user.username}' is an admin: admins have every right on "
                                                   "every cluster, grants would not narrow them"]})
    if not Cluster.objects.filter(pk=cluster_id).exists():
        raise exceptions.ValidationError({"clusterId": [f"No cluster with id {cluster_id}"]})
    if Grant.objects.filter(user=user, cluster_id=cluster_id, namespace=namespace).exists():
        where = f"namespace '{namespace}' of cluster {cluster_id}" if namespace else f"the whole cluster {cluster_id}"
        raise Conflict(f"'{user.username}' already has a grant on {where}; delete it first to change its role")
    try:
        with transaction.atomic():
            grant = Grant.objects.create(user=user, cluster_id=cluster_id, namespace=namespace, role=role)
    except IntegrityError as exc:  # a concurrent duplicate won the race
        raise Conflict(f"'{user.username}' already has this grant") from exc
    # A user who had every cluster now has only this: sockets opened under the wider access end.
    transaction.on_commit(lambda: end_live_sessions(user.pk, "Your access changed; reconnect"))
    return grant


def delete_grant(*, user: User, grant_id: int | str) -> None:
    """Remove a grant. Never widens access: a scoped user without grants sees nothing until set back to 'all'."""
    grant = Grant.objects.filter(pk=grant_id, user=user).first() if str(grant_id).isdigit() else None
    if grant is None:
        raise NotFound(f"Grant {grant_id} of user '{user.username}' not found")
    grant.delete()
    end_live_sessions(user.pk, "Your access changed; reconnect")
