"""ASGI entry point: HTTP goes to Django, WebSockets through the origin check and the JWT middleware to the
consumers (pods.routing)."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubepolaris.settings")
# The API browser's and the admin's assets are served by the app itself (no CDN, no extra server).
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

django_asgi_app = ASGIStaticFilesHandler(get_asgi_application())

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.ws_auth import JWTAuthMiddleware  # noqa: E402
from common.ws_origin import OriginCheckMiddleware  # noqa: E402
from kubepolaris.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin first: a foreign page is refused (4403) before its token is even looked at.
        "websocket": OriginCheckMiddleware(JWTAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
