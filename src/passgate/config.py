"""Server configuration: ``PASSGATE_*`` environment variables and an optional TOML file
(``PASSGATE_CONFIG=/path/passgate.toml``), validated once at start.

``Settings`` is a frozen value passed to whatever needs it; nothing reads the environment
after start-up, so tests build a ``Settings`` directly. Environment variables win over the
file. Message providers are listed in the file as ``[[providers]]`` tables; the common
cases also have environment shortcuts (``PASSGATE_SMTP_URL``, ``PASSGATE_TWILIO_*``,
``PASSGATE_WEBHOOK_*``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ProviderType = Literal["smtp", "twilio", "webhook", "console", "file", "none"]
CHANNELS = ("email", "sms", "voice", "whatsapp")
_DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {
    "smtp": ("email",),
    "twilio": ("sms", "voice", "whatsapp"),
}


class ProviderConfig(BaseModel):
    """One message provider. Fields beyond ``id``/``type``/``channels`` depend on the type."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=100)
    type: ProviderType
    channels: tuple[str, ...] = ()
    # smtp
    url: str = ""
    from_address: str = ""
    from_name: str = ""
    # twilio
    account_sid: str = ""
    auth_token: str = ""
    from_number: str = ""
    whatsapp_from: str = ""
    base_url: str = "https://api.twilio.com"
    # webhook
    secret: str = ""
    # file
    path: str = ""

    def serves(self, channel: str) -> bool:
        return channel in (self.channels or _DEFAULT_CHANNELS.get(self.type, CHANNELS))


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
    delivery: Literal["console", "file", "none"] = Field(
        default="console", description="Development sender for channels with no provider."
    )
    delivery_file: Path | None = Field(default=None, description="Where the file sender appends JSON lines.")
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, description="Request body cap.")
    db_pool_size: int = Field(default=10, ge=1, description="PostgreSQL connections per worker.")
    project_cache_seconds: float = Field(default=2.0, ge=0, description="How long a worker caches a project row.")
    key_cache_seconds: float = Field(default=60.0, ge=0, description="How long a worker caches a project's keys.")
    log_level: str = Field(default="info")
    redis_url: str | None = Field(default=None, description="redis://host:6379/0: share rate-limit counters.")
    redis_prefix: str = Field(default="passgate", description="Prefix of every Redis key passgate writes.")
    trusted_proxies: tuple[str, ...] = Field(
        default=(), description="Proxies (IPs or CIDRs) whose X-Forwarded-For is believed."
    )

    # passwords (argon2id); why these figures: docs/passwords.md ("Hashing cost")
    password_hash_memory_kib: int = Field(default=19_456, ge=8_192, le=1_048_576, description="argon2id memory, KiB.")
    password_hash_time_cost: int = Field(default=2, ge=1, le=20, description="argon2id passes over the memory.")
    password_hash_parallelism: int = Field(default=1, ge=1, le=16, description="argon2id lanes.")
    password_hash_workers: int = Field(
        default=0, ge=0, le=64, description="Threads hashing passwords at once (0: one per CPU core)."
    )

    # delivery
    providers: tuple[ProviderConfig, ...] = Field(default=(), description="[[providers]] from the TOML file.")
    smtp_url: str | None = Field(default=None, description="smtp://user:pass@host:port or smtps://...")
    email_from: str = Field(default="no-reply@localhost", description="From address of email.")
    email_from_name: str = Field(default="", description="Display name of the From address.")
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from: str | None = Field(default=None, description="Twilio number that sends SMS and calls.")
    twilio_whatsapp_from: str | None = None
    twilio_base_url: str = "https://api.twilio.com"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    template_dir: Path | None = Field(default=None, description="Operator templates overriding the built-in ones.")
    default_locale: str = "en"
    dispatcher: bool = Field(default=True, description="Run the outbox dispatcher inside `serve`.")
    outbox_poll_seconds: float = Field(default=0.5, gt=0, description="Outbox dispatcher idle poll.")
    outbox_lease_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long a claim lasts unless renewed (every fifth of it, while the worker works on it):"
        " a killed worker's messages go out again within about this long.",
    )
    outbox_send_timeout_seconds: float = Field(
        default=60.0, gt=0, description="A provider's send abandoned after this long (tried as a transient failure)."
    )
    outbox_max_attempts: int = Field(default=8, ge=1, description="Attempts before a message is given up.")
    outbox_retry_base_seconds: float = Field(default=2.0, gt=0, description="First retry delay (doubles each time).")
    outbox_batch: int = Field(default=32, ge=1, le=1000, description="Messages claimed (and sent at once) per pass.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file = os.environ.get("PASSGATE_CONFIG")
        if not config_file:
            return (init_settings, env_settings)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))

    def resolved_database_url(self) -> str:
        """The database URL in effect: the configured one or the SQLite file in ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'passgate.db').resolve()}"

    def resolved_delivery_file(self) -> Path:
        """Where the file sender writes: the configured path or ``<data_dir>/outbox.jsonl``."""
        return self.delivery_file or self.data_dir / "outbox.jsonl"

    def all_providers(self) -> list[ProviderConfig]:
        """Providers from the file, then those the environment shortcuts define."""
        found = list(self.providers)
        if self.smtp_url:
            found.append(
                ProviderConfig(
                    id="smtp",
                    type="smtp",
                    url=self.smtp_url,
                    from_address=self.email_from,
                    from_name=self.email_from_name,
                )
            )
        if self.twilio_account_sid and self.twilio_auth_token and self.twilio_from:
            found.append(
                ProviderConfig(
                    id="twilio",
                    type="twilio",
                    account_sid=self.twilio_account_sid,
                    auth_token=self.twilio_auth_token,
                    from_number=self.twilio_from,
                    whatsapp_from=self.twilio_whatsapp_from or "",
                    base_url=self.twilio_base_url,
                )
            )
        if self.webhook_url and self.webhook_secret:
            found.append(ProviderConfig(id="webhook", type="webhook", url=self.webhook_url, secret=self.webhook_secret))
        return found
