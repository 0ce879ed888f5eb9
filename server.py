"""ASGI entry point: ``uvicorn server:app`` serves the atlas on the configured data."""

from atlas.web.app import create_app

app = create_app()
