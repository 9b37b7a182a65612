from django.urls import path

from clusters.api import node_views, views

cluster_list = views.ClusterViewSet.as_view({"get": "list", "post": "create"})
cluster_detail = views.ClusterViewSet.as_view({"get": "retrieve", "put": "update", "delete": "destroy"})
cluster_test = views.ClusterViewSet.as_view({"post": "test"})
node_list = node_views.NodeViewSet.as_view({"get": "list"})
node_detail = node_views.NodeViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path("clusters", cluster_list, name="cluster-list"),
    path("clusters/<str:pk>", cluster_detail, name="cluster-detail"),
    path("clusters/<str:pk>/test", cluster_test, name="cluster-test"),
    path("clusters/<str:cluster_id>/nodes", node_list, name="node-list"),
    path("clusters/<str:cluster_id>/nodes/<str:name>", node_detail, name="node-detail"),
] + [
    path(f"clusters/<str:cluster_id>/nodes/<str:name>/{verb}",
         node_views.NodeViewSet.as_view({"post": verb}), name=f"node-{verb}")
    for verb in ("cordon", "uncordon", "drain")
]
