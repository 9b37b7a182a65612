"""The audit log and terminal recordings (contract §11). `audit.note(request, username=...)` for views."""
from audit.notes import note

__all__ = ["note"]
