from django.urls import path

from workloads.api import views

DEPLOYMENT = "clusters/<str:cluster_id>/namespaces/<str:namespace>/deployments/<str:name>"

urlpatterns = [
    path("clusters/<str:cluster_id>/workloads", views.WorkloadListView.as_view(), name="workload-list"),
    path(DEPLOYMENT, views.DeploymentDetailView.as_view(), name="deployment-detail"),
    path(f"{DEPLOYMENT}/scale", views.DeploymentScaleView.as_view(), name="deployment-scale"),
    path(f"{DEPLOYMENT}/restart", views.DeploymentRestartView.as_view(), name="deployment-restart"),
    path(f"{DEPLOYMENT}/history", views.DeploymentHistoryView.as_view(), name="deployment-history"),
    path(f"{DEPLOYMENT}/history/<str:revision>", views.DeploymentRevisionView.as_view(), name="deployment-revision"),
    path(f"{DEPLOYMENT}/rollback", views.DeploymentRollbackView.as_view(), name="deployment-rollback"),
]
