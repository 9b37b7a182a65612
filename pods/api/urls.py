from django.urls import path

from clusters.api.viewsets import kind_urls
from pods.api import views

POD = "clusters/<str:cluster_id>/namespaces/<str:namespace>/pods/<str:name>"

urlpatterns = [
    *kind_urls(views.PodViewSet),  # pod-list, pod-namespaced-list, pod-detail (kube/registry.py)
    path(f"{POD}/logs", views.PodLogsView.as_view(), name="pod-logs"),
    path(f"{POD}/events", views.PodEventsView.as_view(), name="pod-events"),
]
