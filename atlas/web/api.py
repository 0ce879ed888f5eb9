"""Placeholder router; filled in by the api work (issue 4)."""

from fastapi import APIRouter

router = APIRouter()
