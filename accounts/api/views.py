"""Auth and user endpoints: thin, the work is in services/selectors."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

import audit
from accounts import selectors, services, tickets
from accounts.api.serializers import (
    GrantCreateSerializer,
    GrantSerializer,
    LoginResultSerializer,
    LoginSerializer,
    ManagedUserSerializer,
    TokenSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
    WsTicketSerializer,
)
from common.client_ip import client_ip
from common.pagination import EnvelopePagination, paginate
from common.permissions import Role, RoleViewMixin
from common.responses import created, ok


def _token_body(token) -> dict:  # noqa: ANN001
    return {"token": str(token), "expire": token.expires_at}


def _tried_username(request: Request) -> str | None:
    """The username a login tried, for its audit row (the password is never looked at)."""
    data = request.data
    name = data.get("username") if isinstance(data, dict) else None
    return name[:150] if isinstance(name, str) else None


class LoginView(APIView):
    """Log in. Rate-limited per address (the `login` throttle) and behind the login lock (`accounts.lockout`)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=LoginSerializer, responses=LoginResultSerializer, auth=[], tags=["auth"])
    def post(self, request: Request) -> Response:
        audit.note(request, username=_tried_username(request))
        body = LoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user, token = services.login(**body.validated_data, address=client_ip(request))
        return ok(LoginResultSerializer({**_token_body(token), "user": user}).data)


class LogoutView(RoleViewMixin, APIView):
    write_role = Role.VIEWER  # every signed-in user may see, renew or end their own session

    @extend_schema(request=None, responses=None, tags=["auth"])
    def post(self, request: Request) -> Response:
        services.logout(user=request.user, token=request.auth)
        return ok(message="Logged out")


class RefreshView(RoleViewMixin, APIView):
    write_role = Role.VIEWER  # every signed-in user may see, renew or end their own session

    @extend_schema(request=None, responses=TokenSerializer, tags=["auth"])
    def post(self, request: Request) -> Response:
        token = services.refresh_token(user=request.user, token=request.auth)
        return ok(TokenSerializer(_token_body(token)).data)


class MeView(RoleViewMixin, APIView):
    write_role = Role.VIEWER  # every signed-in user may see, renew or end their own session

    @extend_schema(responses=UserSerializer, tags=["auth"])
    def get(self, request: Request) -> Response:
        return ok(UserSerializer(request.user).data)


class WsTicketView(RoleViewMixin, APIView):
    """A single-use WebSocket ticket, so a browser never puts its JWT in a URL (any role)."""

    write_role = Role.VIEWER

    @extend_schema(
        request=None, responses=WsTicketSerializer, tags=["auth"],
        description="A ticket for one WebSocket (`?ticket=`), valid for `WS_TICKET_SECONDS` (30 s) and usable "
                    "once; it acts as the token it was issued for (same user, same checks, same expiry).",
    )
    def post(self, request: Request) -> Response:
        ticket = tickets.issue_ticket(token=request.auth)
        response = ok(WsTicketSerializer({"ticket": ticket.ticket, "expire": ticket.expire}).data)
        response["Cache-Control"] = "no-store"  # a credential: no cache may keep it
        return response


@extend_schema(tags=["users"])
class UserViewSet(RoleViewMixin, viewsets.ViewSet):
    """Users: admins only."""

    read_role = Role.ADMIN
    write_role = Role.ADMIN
    pagination_class = EnvelopePagination
    action_label = "managing users"

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Substring of username or email")],
        responses=ManagedUserSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        users = selectors.user_list(search=request.query_params.get("search"))
        return paginate(users, request, lambda page: ManagedUserSerializer(page, many=True).data)

    @extend_schema(request=UserCreateSerializer, responses={201: ManagedUserSerializer})
    def create(self, request: Request) -> Response:
        body = UserCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return created(ManagedUserSerializer(services.create_user(**body.validated_data)).data)

    @extend_schema(responses=ManagedUserSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return ok(ManagedUserSerializer(selectors.user_get(user_id=pk)).data)

    @extend_schema(request=UserUpdateSerializer, responses=ManagedUserSerializer)
    def update(self, request: Request, pk: str) -> Response:
        user = selectors.user_get(user_id=pk)
        body = UserUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return ok(ManagedUserSerializer(services.update_user(user=user, data=body.validated_data)).data)

    @extend_schema(responses=None)
    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_user(user=selectors.user_get(user_id=pk))
        return ok(message="User deleted")


@extend_schema(tags=["users"])
class GrantViewSet(RoleViewMixin, viewsets.ViewSet):
    """A user's grants (admins only): a role on a whole cluster or on one namespace of it."""

    read_role = Role.ADMIN
    write_role = Role.ADMIN
    pagination_class = EnvelopePagination
    action_label = "managing grants"

    @extend_schema(responses=GrantSerializer(many=True), summary="The user's grants, oldest first")
    def list(self, request: Request, pk: str) -> Response:
        grants = selectors.grant_list(user=selectors.user_get(user_id=pk))
        return paginate(grants, request, lambda page: GrantSerializer(page, many=True).data)

    @extend_schema(request=GrantCreateSerializer, responses={201: GrantSerializer},
                   summary="Give a grant; the user is then scoped to their grants")
    def create(self, request: Request, pk: str) -> Response:
        user = selectors.user_get(user_id=pk)
        body = GrantCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        grant = services.create_grant(user=user, cluster_id=body.validated_data["clusterId"],
                                      namespace=body.validated_data["namespace"], role=body.validated_data["role"])
        return created(GrantSerializer(grant).data)

    @extend_schema(responses=None, summary="Remove a grant (never widens access)")
    def destroy(self, request: Request, pk: str, grant_id: str) -> Response:
        services.delete_grant(user=selectors.user_get(user_id=pk), grant_id=grant_id)
        return ok(message="Grant deleted")
