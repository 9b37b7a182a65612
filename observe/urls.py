"""Mounted at the root by kubepolaris/urls.py (outside /api/: not enveloped, not in the OpenAPI document)."""
from django.urls import path

from observe import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
