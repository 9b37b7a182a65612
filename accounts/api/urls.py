from django.urls import path

from accounts.api import views

user_list = views.UserViewSet.as_view({"get": "list", "post": "create"})
user_detail = views.UserViewSet.as_view({"get": "retrieve", "put": "update", "delete": "destroy"})

grant_list = views.GrantViewSet.as_view({"get": "list", "post": "create"})
grant_detail = views.GrantViewSet.as_view({"delete": "destroy"})

urlpatterns = [
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/me", views.MeView.as_view(), name="auth-me"),
    path("auth/ws-ticket", views.WsTicketView.as_view(), name="auth-ws-ticket"),
    path("users", user_list, name="user-list"),
    path("users/<str:pk>", user_detail, name="user-detail"),
    path("users/<str:pk>/grants", grant_list, name="grant-list"),
    path("users/<str:pk>/grants/<str:grant_id>", grant_detail, name="grant-detail"),
]
