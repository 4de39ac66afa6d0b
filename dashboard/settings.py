"""Dashboard settings: command-line flags over ``SENSORCOACH_*`` environment over defaults.

| setting | env | default |
| --- | --- | --- |
| host | ``SENSORCOACH_HOST`` | 127.0.0.1 |
| port | ``SENSORCOACH_PORT`` | 8000 |
| db | ``SENSORCOACH_DB`` | the user's data directory (see :mod:`sensorcoach.store`) |
| token | ``SENSORCOACH_TOKEN`` | none (required off loopback) |
| max_body_bytes | ``SENSORCOACH_MAX_BODY_BYTES`` | 64 MiB |
| push_idle_s | ``SENSORCOACH_PUSH_IDLE_S`` | 60 s without a push message ends a phone session |
| push_max_bytes | ``SENSORCOACH_PUSH_MAX_BYTES`` | 4 MiB per push message (413 over it) |
| push_max_sessions | ``SENSORCOACH_PUSH_MAX_SESSIONS`` | 16 live phone sessions in all (503) |
| push_max_sessions_per_client | ``SENSORCOACH_PUSH_MAX_SESSIONS_PER_CLIENT`` | 4 (429) |
| push_workers | ``SENSORCOACH_PUSH_WORKERS`` | 2 push messages parsed and analysed at a time |
| max_live_streams | ``SENSORCOACH_MAX_LIVE_STREAMS`` | 100 open ``/api/live`` streams (503) |
| upload_max_bytes | ``SENSORCOACH_UPLOAD_MAX_BYTES`` | 64 MiB once decompressed (413) |
| upload_max_ratio | ``SENSORCOACH_UPLOAD_MAX_RATIO`` | 100: gzip expanding more, 413 |

The upload and push limits bound memory: a 64 MiB recording takes about 500 MB to read
and analyse, and uploads are imported one at a time, so the server stays under 1 GB.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from sensorcoach.errors import SensorcoachError
from sensorcoach.store import default_db_path

MIB = 1024 * 1024


class ConfigError(SensorcoachError):
    """The dashboard cannot start with these settings (says why)."""


@dataclass(frozen=True)
class Settings:
    """Everything the app factory needs; build with :meth:`from_env`."""

    host: str = "127.0.0.1"
    port: int = 8000
    db: Path | None = None
    token: str | None = None
    max_body_bytes: int = 64 * MIB
    push_idle_s: float = 60.0
    push_max_bytes: int = 4 * MIB
    push_max_sessions: int = 16
    push_max_sessions_per_client: int = 4
    push_workers: int = 2
    max_live_streams: int = 100
    upload_max_bytes: int = 64 * MIB
    upload_max_ratio: float = 100.0
    sample_hz: float = 4.0
    """Rate (Hz) of the decimated ``sample`` events per live session on ``/api/live``."""

    @property
    def db_path(self) -> Path:
        return self.db if self.db is not None else default_db_path()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **flags: object) -> Settings:
        """Defaults, then ``SENSORCOACH_*`` from ``env`` (os.environ), then ``flags``
        that are not None."""
        e = os.environ if env is None else env
        s = cls()
        for f in fields(cls):
            key = f"SENSORCOACH_{f.name.upper()}"
            raw = e.get(key)
            if raw:
                try:
                    s = replace(s, **{f.name: _parse(f.name, raw)})  # type: ignore[arg-type]
                except ValueError as err:
                    raise ConfigError(f"bad {key} setting: {err}") from None
        given = {k: v for k, v in flags.items() if v is not None}
        if "db" in given:
            given["db"] = Path(str(given["db"])).expanduser()
        return replace(s, **given)  # type: ignore[arg-type]

    def check(self) -> None:
        """Refuse settings that would expose the dashboard without a token."""
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port {self.port} is not 0-65535")
        for name in ("max_body_bytes", "push_max_bytes", "push_max_sessions",
                     "push_max_sessions_per_client", "push_workers", "max_live_streams",
                     "upload_max_bytes", "upload_max_ratio", "push_idle_s"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be positive")
        if self.token is not None and not self.token.strip():
            raise ConfigError("the token is empty")
        if not is_loopback(self.host) and not self.token:
            raise ConfigError(
                f"refusing to listen on {self.host} without a token: anyone on the network "
                "could read your sessions; set SENSORCOACH_TOKEN or pass --token "
                "(or use --host 127.0.0.1)")


def _parse(name: str, raw: str) -> object:
    """An environment value as the setting's type (ValueError if it is not one)."""
    if name == "db":
        return Path(raw).expanduser()
    if name in ("host", "token"):
        return raw
    if name in ("push_idle_s", "upload_max_ratio", "sample_hz"):
        return float(raw)
    return int(raw)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
