from django.urls import path

from audit.api import views

urlpatterns = [
    path("audit", views.AuditEventViewSet.as_view({"get": "list"}), name="audit-list"),
    path("audit/<str:pk>", views.AuditEventViewSet.as_view({"get": "retrieve"}), name="audit-detail"),
    path("audit/<str:pk>/recording", views.AuditRecordingView.as_view(), name="audit-recording"),
]
