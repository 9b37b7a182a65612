"""Auth and user endpoints: thin, the work is in services/selectors."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.api.serializers import (
    LoginResultSerializer,
    LoginSerializer,
    TokenSerializer,
    UserCreateSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from common.pagination import EnvelopePagination, paginate
from common.permissions import Role, RoleViewMixin
from common.responses import created, ok


def _token_body(token) -> dict:  # noqa: ANN001
    return {"token": str(token), "expire": token.expires_at}


class LoginView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=LoginSerializer, responses=LoginResultSerializer, auth=[], tags=["auth"])
    def post(self, request: Request) -> Response:
        body = LoginSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user, token = services.login(**body.validated_data)
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


@extend_schema(tags=["users"])
class UserViewSet(RoleViewMixin, viewsets.ViewSet):
    """Users: admins only."""

    read_role = Role.ADMIN
    write_role = Role.ADMIN
    pagination_class = EnvelopePagination
    action_label = "managing users"

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Substring of username or email")],
        responses=UserSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        users = selectors.user_list(search=request.query_params.get("search"))
        return paginate(users, request, lambda page: UserSerializer(page, many=True).data)

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request: Request) -> Response:
        body = UserCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return created(UserSerializer(services.create_user(**body.validated_data)).data)

    @extend_schema(responses=UserSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        return ok(UserSerializer(selectors.user_get(user_id=pk)).data)

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def update(self, request: Request, pk: str) -> Response:
        user = selectors.user_get(user_id=pk)
        body = UserUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return ok(UserSerializer(services.update_user(user=user, data=body.validated_data)).data)

    @extend_schema(responses=None)
    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_user(user=selectors.user_get(user_id=pk))
        return ok(message="User deleted")
