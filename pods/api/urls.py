from django.urls import path

from pods.api import views

POD = "clusters/<str:cluster_id>/namespaces/<str:namespace>/pods/<str:name>"

urlpatterns = [
    path("clusters/<str:cluster_id>/pods", views.PodListView.as_view(), name="pod-list"),
    path(POD, views.PodDetailView.as_view(), name="pod-detail"),
    path(f"{POD}/logs", views.PodLogsView.as_view(), name="pod-logs"),
    path(f"{POD}/events", views.PodEventsView.as_view(), name="pod-events"),
]
