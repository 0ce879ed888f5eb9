"""JSON responses written by orjson: several times faster than ``json.dumps`` on the big
answers (a page of 1 000 features, every entity of the atlas page)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    """A ``JSONResponse`` rendered by orjson (UTF-8, compact, like Starlette's)."""

    def render(self, content: Any) -> bytes:
        """``content`` as JSON bytes (numpy values and non-string keys allowed)."""
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)
