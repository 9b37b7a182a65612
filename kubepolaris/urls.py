"""Routes. Every app mounts its API under /api/; anything else under /api/ is an enveloped 404."""
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.admin import admin_login
from common.views import api_not_found

api_patterns = [
    path("", include("accounts.api.urls")),
    path("", include("clusters.api.urls")),
    path("", include("workloads.api.urls")),
    path("", include("pods.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("search.api.urls")),
    path("", include("namespaces.api.urls")),
    path("", include("configuration.api.urls")),
    path("", include("manifests.api.urls")),
    path("", include("resources.api.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("", include("observe.urls")),  # /healthz, /readyz, /metrics
    path("admin/login/", admin_login),  # the admin's login behind the login lock (accounts.lockout)
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    re_path(r"^api(/.*)?$", api_not_found),
]

handler404 = "common.views.handler404"
handler500 = "common.views.handler500"
