"""The one gateway to Kubernetes. Nothing outside this package imports `kubernetes.client`.

    from kube import gateway
    nodes = gateway.core_v1(cluster).list_node()          # errors arrive as common.errors.*

Every call carries connect/read timeouts and every failure becomes an application error that
names the cluster and the cause (see kube.errors).
"""
