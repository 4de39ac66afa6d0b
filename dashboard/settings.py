"""Dashboard settings: command-line flags over ``SENSORCOACH_*`` environment over defaults.

| setting | env | default |
| --- | --- | --- |
| host | ``SENSORCOACH_HOST`` | 127.0.0.1 |
| port | ``SENSORCOACH_PORT`` | 8000 |
| db | ``SENSORCOACH_DB`` | the user's data directory (see :mod:`sensorcoach.store`) |
| token | ``SENSORCOACH_TOKEN`` | none (required off loopback) |
| max_body_bytes | ``SENSORCOACH_MAX_BODY_BYTES`` | 64 MiB |
| push_idle_s | ``SENSORCOACH_PUSH_IDLE_S`` | 60 s without a push message ends a phone session |
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
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
        try:
            if e.get("SENSORCOACH_HOST"):
                s = replace(s, host=e["SENSORCOACH_HOST"])
            if e.get("SENSORCOACH_PORT"):
                s = replace(s, port=int(e["SENSORCOACH_PORT"]))
            if e.get("SENSORCOACH_DB"):
                s = replace(s, db=Path(e["SENSORCOACH_DB"]).expanduser())
            if e.get("SENSORCOACH_TOKEN"):
                s = replace(s, token=e["SENSORCOACH_TOKEN"])
            if e.get("SENSORCOACH_MAX_BODY_BYTES"):
                s = replace(s, max_body_bytes=int(e["SENSORCOACH_MAX_BODY_BYTES"]))
            if e.get("SENSORCOACH_PUSH_IDLE_S"):
                s = replace(s, push_idle_s=float(e["SENSORCOACH_PUSH_IDLE_S"]))
        except ValueError as err:
            raise ConfigError(f"bad SENSORCOACH_* setting: {err}") from None
        given = {k: v for k, v in flags.items() if v is not None}
        if "db" in given:
            given["db"] = Path(str(given["db"])).expanduser()
        return replace(s, **given)  # type: ignore[arg-type]

    def check(self) -> None:
        """Refuse settings that would expose the dashboard without a token."""
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"port {self.port} is not 0-65535")
        if self.max_body_bytes <= 0:
            raise ConfigError("max_body_bytes must be positive")
        if self.token is not None and not self.token.strip():
            raise ConfigError("the token is empty")
        if not is_loopback(self.host) and not self.token:
            raise ConfigError(
                f"refusing to listen on {self.host} without a token: anyone on the network "
                "could read your sessions; set SENSORCOACH_TOKEN or pass --token "
                "(or use --host 127.0.0.1)")


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
