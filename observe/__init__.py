"""Operations endpoints outside /api/: liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics).

No models and no envelope: these answer load balancers, orchestrators and scrapers, not API clients, and are not
part of the OpenAPI document. Every process serves its own metrics (no shared state): scrape each process.
"""
