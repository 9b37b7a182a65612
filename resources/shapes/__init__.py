"""Pure shapers: a raw object dict (as the API server sends it) → the dict our API answers with.

Each function depends only on its argument, so the watch cache may compute an item once per object version and
share it (kube/cache.py): callers copy before adding joined fields (endpoint counts, the pods using a claim).
"""
