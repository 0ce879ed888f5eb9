"""Dependencies shared by the routes (FastAPI ``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atlas.config import Settings
from atlas.engine import Atlas


def get_atlas(request: Request) -> Atlas:
    """The loaded atlas (built once at startup)."""
    return request.app.state.live.current()


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


AtlasDep = Annotated[Atlas, Depends(get_atlas)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
