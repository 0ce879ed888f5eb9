"""The one exception of the OGC layer, carrying an HTTP status and an OGC exception body."""

from __future__ import annotations


class OGCError(Exception):
    """A client error answered with ``{"code": ..., "description": ...}`` and ``status``."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description

    def body(self) -> dict[str, str]:
        """The OGC API exception document."""
        return {"code": self.code, "description": self.description}


def invalid(description: str) -> OGCError:
    """A 400 ``InvalidParameterValue`` error."""
    return OGCError(400, "InvalidParameterValue", description)


def not_found(description: str) -> OGCError:
    """A 404 ``NotFound`` error."""
    return OGCError(404, "NotFound", description)
