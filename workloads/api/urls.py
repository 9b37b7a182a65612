from django.urls import path

from clusters.api.viewsets import kind_urls
from workloads.api import actions, views

NAMESPACE = "clusters/<str:cluster_id>/namespaces/<str:namespace>"
DEPLOYMENT = f"{NAMESPACE}/deployments/<str:name>"
STATEFULSET = f"{NAMESPACE}/statefulsets/<str:name>"
DAEMONSET = f"{NAMESPACE}/daemonsets/<str:name>"
JOB = f"{NAMESPACE}/jobs/<str:name>"
CRONJOB = f"{NAMESPACE}/cronjobs/<str:name>"

urlpatterns = [
    path("clusters/<str:cluster_id>/workloads", views.WorkloadViewSet.as_view({"get": "list"}), name="workload-list"),
    # deployment-list, deployment-namespaced-list, deployment-detail; the other kinds' lists (kube/registry.py)
    *kind_urls(views.DeploymentViewSet),
    *kind_urls(views.StatefulSetViewSet),
    *kind_urls(views.DaemonSetViewSet),
    *kind_urls(views.JobViewSet),
    *kind_urls(views.CronJobViewSet),
    path(f"{DEPLOYMENT}/scale", views.DeploymentScaleView.as_view(), name="deployment-scale"),
    path(f"{DEPLOYMENT}/restart", views.DeploymentRestartView.as_view(), name="deployment-restart"),
    path(f"{DEPLOYMENT}/history", views.DeploymentHistoryView.as_view(), name="deployment-history"),
    path(f"{DEPLOYMENT}/history/<str:revision>", views.DeploymentRevisionView.as_view(), name="deployment-revision"),
    path(f"{DEPLOYMENT}/rollback", views.DeploymentRollbackView.as_view(), name="deployment-rollback"),
    path(f"{STATEFULSET}/history", views.StatefulSetHistoryView.as_view(), name="statefulset-history"),
    path(f"{STATEFULSET}/history/<str:revision>", views.StatefulSetRevisionView.as_view(),
         name="statefulset-revision"),
    path(f"{STATEFULSET}/rollback", views.StatefulSetRollbackView.as_view(), name="statefulset-rollback"),
    path(f"{DAEMONSET}/history", views.DaemonSetHistoryView.as_view(), name="daemonset-history"),
    path(f"{DAEMONSET}/history/<str:revision>", views.DaemonSetRevisionView.as_view(), name="daemonset-revision"),
    path(f"{DAEMONSET}/rollback", views.DaemonSetRollbackView.as_view(), name="daemonset-rollback"),
    # detail, delete and actions of the other kinds (workloads/api/actions.py)
    path(f"{STATEFULSET}/scale", actions.StatefulSetScaleView.as_view(), name="statefulset-scale"),
    path(f"{STATEFULSET}/restart", actions.StatefulSetRestartView.as_view(), name="statefulset-restart"),
    path(f"{DAEMONSET}/restart", actions.DaemonSetRestartView.as_view(), name="daemonset-restart"),
    path(f"{CRONJOB}/suspend", actions.CronJobSuspendView.as_view(), name="cronjob-suspend"),
    path(f"{CRONJOB}/resume", actions.CronJobResumeView.as_view(), name="cronjob-resume"),
    path(f"{CRONJOB}/trigger", actions.CronJobTriggerView.as_view(), name="cronjob-trigger"),
]
