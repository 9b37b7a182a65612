from django.urls import path

from clusters.api.viewsets import kind_urls
from configuration.api import views

SECRET = "clusters/<str:cluster_id>/namespaces/<str:namespace>/secrets/<str:name>"

# <kind>-list, <kind>-namespaced-list (GET, POST), <kind>-detail (GET, PUT, DELETE): kube/registry.py
urlpatterns = [
    *kind_urls(views.ConfigMapViewSet),
    *kind_urls(views.SecretViewSet),
    path(f"{SECRET}/reveal", views.SecretViewSet.as_view({"post": "reveal"}), name="secret-reveal"),
]
