"""WebSocket routes of pod logs and the exec terminal (a trailing slash is accepted, as for the REST API)."""
from __future__ import annotations

from django.urls import re_path

from pods.sockets.exec import PodExecConsumer
from pods.sockets.logs import PodLogConsumer

_POD = r"^ws/clusters/(?P<cluster_id>[^/]+)/namespaces/(?P<namespace>[^/]+)/pods/(?P<name>[^/]+)"

websocket_urlpatterns = [
    re_path(_POD + r"/logs/?$", PodLogConsumer.as_asgi()),
    re_path(_POD + r"/exec/?$", PodExecConsumer.as_asgi()),
]
