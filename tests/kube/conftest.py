"""Gateway tests share the cluster tests' fixtures (a throwaway CA, client-cache hygiene, fast drains)."""
from tests.clusters.conftest import _fresh_clients, fast_drain, unrelated_ca  # noqa: F401
