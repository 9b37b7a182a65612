"""WebSocket routes (filled in by pods.routing once the consumers exist)."""
websocket_urlpatterns: list = []
