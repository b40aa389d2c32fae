"""Server configuration: ``PASSGATE_*`` environment variables, validated once at start.

``Settings`` is a frozen value passed to whatever needs it; nothing reads the environment
after start-up, so tests build a ``Settings`` directly.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process-wide settings. Per-project behaviour lives in ``ProjectSettings``."""

    model_config = SettingsConfigDict(env_prefix="PASSGATE_", frozen=True, extra="ignore")

    data_dir: Path = Field(default=Path(".passgate"), description="Where SQLite, secrets and files live.")
    database_url: str | None = Field(
        default=None,
        description="postgresql://... selects PostgreSQL; default is SQLite in the data directory.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Master secret (HMAC and at-rest encryption). Default: <data_dir>/secret.key, created once.",
    )
    public_url: str | None = Field(default=None, description="Base URL printed to users.")
    delivery: str = Field(default="console", description="Development sender: console | file | none.")
    delivery_file: Path | None = Field(default=None, description="Where the file sender appends JSON lines.")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Request body cap.")
    outbox_poll_seconds: float = Field(default=0.5, gt=0, description="Outbox dispatcher idle poll.")
    db_pool_size: int = Field(default=10, ge=1, description="PostgreSQL connections per worker.")
    project_cache_seconds: float = Field(default=2.0, ge=0, description="How long a worker caches a project row.")
    log_level: str = Field(default="info")

    def resolved_database_url(self) -> str:
        """The database URL in effect: the configured one or the SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'passgate.db').resolve()}"

    def resolved_delivery_file(self) -> Path:
        """Where the file sender writes: the configured path or ``<data_dir>/outbox.jsonl``."""
        return self.delivery_file or self.data_dir / "outbox.jsonl"
