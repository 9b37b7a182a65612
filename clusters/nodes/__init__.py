"""Nodes of a registered cluster: reads (selectors), cordon/uncordon (services) and drain (drain)."""
