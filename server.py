"""ASGI entry point: ``uvicorn server:app`` serves the atlas on the configured data.

Invalid data or an unusable configuration stops the server before it listens,
with the validation report (the same as ``atlas validate``) instead of a traceback.
"""

import sys

from pydantic import ValidationError

from atlas.maps.assets import MissingAssetsError
from atlas.maps.render import TileConfigError
from atlas.promotion.chains import ChainsError
from atlas.promotion.hubs import HubDataError
from atlas.storage.geojson import StorageError
from atlas.validate import InvalidDataError
from atlas.web.app import create_app
from atlas.web.security import SecurityConfigError

try:
    app = create_app()
except (InvalidDataError, StorageError, TileConfigError, MissingAssetsError, ValidationError,
        SecurityConfigError, ChainsError, HubDataError) as exc:
    print(f"The atlas cannot start:\n{exc}", file=sys.stderr)
    raise SystemExit(1) from None
