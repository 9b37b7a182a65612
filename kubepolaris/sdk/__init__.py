"""The pieces of the KubePolaris Python SDK; `kubepolaris.client.Client` puts them together.

Depends only on the standard library, `requests` and `websockets` (never on Django).
"""
