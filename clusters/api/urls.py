from django.urls import path

from clusters.api import node_views, views
from clusters.api.viewsets import kind_urls

cluster_list = views.ClusterViewSet.as_view({"get": "list", "post": "create"})
cluster_detail = views.ClusterViewSet.as_view({"get": "retrieve", "put": "update", "delete": "destroy"})
cluster_test = views.ClusterViewSet.as_view({"post": "test"})

urlpatterns = [
    path("clusters", cluster_list, name="cluster-list"),
    path("clusters/<str:pk>", cluster_detail, name="cluster-detail"),
    path("clusters/<str:pk>/test", cluster_test, name="cluster-test"),
    *kind_urls(node_views.NodeViewSet),  # nodes: list and detail (kube/registry.py)
] + [
    path(f"clusters/<str:cluster_id>/nodes/<str:name>/{verb}",
         node_views.NodeViewSet.as_view({"post": verb}), name=f"node-{verb}")
    for verb in ("cordon", "uncordon", "drain")
]
