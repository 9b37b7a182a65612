from django.urls import path

from manifests.api import views

CLUSTER = "clusters/<str:cluster_id>"

urlpatterns = [
    path(f"{CLUSTER}/apply", views.ApplyView.as_view(), name="manifest-apply"),
    path(f"{CLUSTER}/namespaces/<str:namespace>/<str:plural>/<str:name>/yaml", views.NamespacedYamlView.as_view(),
         name="object-yaml"),
    path(f"{CLUSTER}/<str:plural>/<str:name>/yaml", views.ClusterYamlView.as_view(), name="cluster-object-yaml"),
]
