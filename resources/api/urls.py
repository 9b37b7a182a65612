from clusters.api.viewsets import kind_urls
from resources.api import views

# Per kind: <singular>-list (every namespace, ?namespace=), <singular>-namespaced-list, <singular>-detail;
# cluster-scoped kinds (persistentvolumes, storageclasses): <singular>-list and <singular>-detail.
urlpatterns = [
    *kind_urls(views.ServiceViewSet),
    *kind_urls(views.IngressViewSet),
    *kind_urls(views.PersistentVolumeClaimViewSet),
    *kind_urls(views.PersistentVolumeViewSet),
    *kind_urls(views.StorageClassViewSet),
    *kind_urls(views.EventViewSet),
    *kind_urls(views.HorizontalPodAutoscalerViewSet),
]
