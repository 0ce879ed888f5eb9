"""Runtime configuration, read once from ``ATLAS_*`` environment variables."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "testserver")
"""Host names served by default: this machine, and ``testserver`` (Starlette's TestClient)."""

Names = Annotated[tuple[str, ...], NoDecode]
"""A list setting, given in the environment as comma-separated names."""


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
    usage_statistics: bool = Field(True, description="Count profile views, filters used and "
                                                     "searches that found nothing (daily counts "
                                                     "only; see /edit/usage)")
    frame_ancestors: str = Field("", description="Who may show the atlas in a frame: CSP "
                                                 "frame-ancestors sources, space-separated, e.g. "
                                                 "'self' https://portal.example.gov.cn ('self' "
                                                 "when empty)")
    session_https_only: bool = Field(False, description="Send the session cookie over HTTPS only "
                                                        "(set when the atlas is served over HTTPS)")
    public_url: str = Field("", description="Where people reach the atlas, e.g. "
                                            "https://atlas.example.gov.cn/ : the base of every "
                                            "absolute link (OGC links, OpenAPI servers, QR codes, "
                                            "exports); empty = the request's own scheme and host")
    allowed_hosts: Names = Field(LOCAL_HOSTS, description="Host names the atlas answers to "
                                                          "(plus public_url's); others get a 400; "
                                                          "*.example.org for subdomains, * for any")
    trusted_proxies: Names = Field((), description="IP addresses or networks (CIDR) of reverse "
                                                   "proxies whose X-Forwarded-Proto, -Host and "
                                                   "-For are believed; empty = nobody's")
    access_log_query: bool = Field(False, description="Write query strings (which hold what "
                                                      "people searched for) in the access log")

    @field_validator("allowed_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        """``a, b`` from the environment as ``("a", "b")``."""
        if isinstance(value, str):
            return tuple(name.strip() for name in value.split(",") if name.strip())
        return value

    @field_validator("public_url")
    @classmethod
    def _absolute_http_url(cls, value: str) -> str:
        """An http(s) URL with a host and no query or fragment, without the trailing slash."""
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                or parts.fragment:
            raise ValueError(f"give an http(s) URL with a host name and no query, such as "
                             f"https://atlas.example.gov.cn/ (got {value!r})")
        return value.rstrip("/")

    @field_validator("allowed_hosts")
    @classmethod
    def _host_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Names, ``*.`` wildcards or ``*`` (Starlette's TrustedHostMiddleware patterns)."""
        for name in value:
            if "*" in name[1:] or (name.startswith("*") and name != "*"
                                   and not name.startswith("*.")):
                raise ValueError(f"{name!r}: give a host name, *.example.org or *")
        return tuple(name.lower() for name in value)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """IP addresses or networks only (a name would never match a peer address)."""
        for proxy in value:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"{proxy!r}: give an IP address or a network such as "
                                 f"10.0.0.0/8") from None
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
