"""Runtime configuration, read once from ``ATLAS_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of the atlas. Documented in the README's *Configuration* table."""

    model_config = SettingsConfigDict(env_prefix="ATLAS_", frozen=True)

    data_dir: Path = Field(REPO_ROOT / "data" / "geo", description="Folder of the GeoJSON layers")
    corridor_width_m: float = Field(1000.0, gt=0, le=20000,
                                    description="Full width of the corridor band around 世纪大道")
    coast_tolerance_m: float = Field(3000.0, ge=0,
                                     description="How far outside the city outline a point may lie")
    tiles: str = Field("osm", description="osm | tianditu | none | an XYZ URL template")
    tianditu_key: str = Field("", description="Tianditu tk key, needed when tiles=tianditu")
    tiles_attribution: str = Field("", description="Attribution shown for a custom tile URL")
    population_file: Path = Field(REPO_ROOT / "data" / "stats" / "town-population.csv",
                                  description="CSV of town,population[,source] for "
                                              "population-weighted coverage (optional)")
    tiles_datum: str = Field("wgs84", pattern="^(wgs84|gcj02)$",
                             description="Datum of the basemap; gcj02 (Amap) shifts overlays for display only")
    database_url: str = Field("", description="postgresql://… : keep the layers, history and "
                                              "corrections in PostgreSQL + PostGIS instead of "
                                              "data_dir (see `atlas db`); empty = the files")
    users_file: Path = Field(REPO_ROOT / "var" / "users.json",
                             description="Staff accounts (roles, password hashes, API token hashes); "
                                         "managed with `atlas user`; missing = no users")
    secret_key: SecretStr = Field(SecretStr(""),
                                  description="Key signing the session cookie; empty = generated "
                                              "once and kept in secret_key beside the users file")
    session_https_only: bool = Field(False, description="Send the session cookie over HTTPS only "
                                                        "(set when the atlas is served over HTTPS)")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
