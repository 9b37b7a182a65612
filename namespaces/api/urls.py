from clusters.api.viewsets import kind_urls
from namespaces.api import views

# namespace-list (GET, POST), namespace-detail (GET, DELETE): kube/registry.py
urlpatterns = kind_urls(views.NamespaceViewSet)
