"""HTTP handlers of the simulated API server."""
