"""Settings of the Slack bot, read from the environment (and a ``.env`` file).

``SLACK_API_URL`` points the Web API client somewhere else than Slack (a local
fake in tests); ``TODAY`` pins the reference day for demos and tests.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.cron import cron_trigger

SLACK_API_URL = "https://slack.com/api/"

Mode = Literal["http", "socket", "console"]


class ConfigError(Exception):
    """The configuration cannot work; the message is one line meant for the person starting the bot."""


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_URL
    language: Literal["fr", "en"] = "fr"
    logistics_channel: str | None = None
    # channel -> store(s) links: "C0123=12,C0456=Lyon Part-Dieu,C0LOG=12|14,C0OUEST=région:Ouest" (bot.channels);
    # links made in Slack with /caddie magasin win over these
    channel_stores: str = ""
    forecast_cron: str = "0 6 * * *"
    # retrain on the latest data and swap the models in, before the post; empty: never (restart to refresh)
    refresh_cron: str = "30 5 * * *"
    timezone: str = "Europe/Paris"
    forecast_top_n: int = 10
    port: int = 3000
    mode: Literal["auto", "http", "socket", "console"] = "auto"
    # shared with the ml package: the scheduler keeps its idempotency table next to the data
    database_url: str = "sqlite:///var/caddie.db"
    # pins "today" (ISO date) for demos and tests; None = the current day in ``timezone``
    today: date | None = None
    # where the console saves forecast charts
    charts_dir: Path = Path("charts")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # text (human-readable) or json (one JSON object per line, with the request id; for log collectors)
    log_format: Literal["text", "json"] = "text"
    # alert the logistics channel when the forecasts served over the last 7 days were off by more than this
    # (realised WAPE: absolute errors over units sold; 0.5 = 50 %)
    accuracy_alert_wape: float = Field(default=0.5, gt=0)
    # alert the logistics channel when the latest sales data is older than this many days
    sales_stale_days: int = Field(default=3, ge=1)
    # who may ask about customers (/recommend, /predict, /target): these channels (ids, comma-separated)...
    customer_channels: Annotated[tuple[str, ...], NoDecode] = ()
    # ...or members of these Slack user groups (ids S0123..., comma-separated), anywhere in the workspace
    customer_usergroups: Annotated[tuple[str, ...], NoDecode] = ()
    # the workspace (team id T0123...) the bot serves; requests from another workspace are refused
    slack_team_id: str | None = None
    # answers about a customer are shown to the asker only, unless this is true
    customer_answers_in_channel: bool = False
    # how long a user group's member list is trusted before asking Slack again
    usergroup_cache_seconds: int = 300

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", "logistics_channel", "today",
                     mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("channel_stores")
    @classmethod
    def _valid_channel_stores(cls, value: str) -> str:
        from bot.channels import parse_channel_stores

        parse_channel_stores(value)  # ValueError names the faulty entry
        return value

    @field_validator("customer_channels", "customer_usergroups", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip().lstrip("#") for part in value.split(",") if part.strip())
        return value

    @field_validator("slack_team_id", mode="before")
    @classmethod
    def _blank_team_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("language", mode="before")
    @classmethod
    def _language_code(cls, value: object) -> object:
        # LANGUAGE is also a GNU gettext variable ("fr_FR:fr"): keep its first language code
        if isinstance(value, str):
            return value.split(":")[0].split(".")[0].split("_")[0].strip().lower() or "fr"
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("forecast_cron", "refresh_cron")
    @classmethod
    def _valid_cron(cls, value: str, info: ValidationInfo) -> str:
        if info.field_name == "refresh_cron" and not value.strip():
            return ""
        try:
            cron_trigger(value)
        except ValueError as exc:
            raise ValueError(f"invalid crontab expression {value!r}: {exc}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token_verification_enabled(self) -> bool:
        """Check the token with ``auth.test`` at start-up only when talking to the real Slack."""
        return self.slack_api_url.rstrip("/") == SLACK_API_URL.rstrip("/")

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def current_day(self) -> date:
        """The reference day: ``TODAY`` when set, else the calendar day in ``timezone``."""
        return self.today if self.today is not None else self.now().date()

    def check_customer_access(self) -> None:
        """Customer answers in Slack need the workspace they belong to. Raises :class:`ConfigError`."""
        if (self.customer_channels or self.customer_usergroups) and not self.slack_team_id:
            raise ConfigError("CUSTOMER_CHANNELS / CUSTOMER_USERGROUPS need SLACK_TEAM_ID, the id (T0123...) of "
                              "the workspace allowed to see customer answers")

    def resolved_mode(self) -> Mode:
        """The run mode; ``auto`` picks Socket Mode, then HTTP, then the local console, from the tokens present.

        Raises :class:`ConfigError` when the chosen mode lacks what it needs.
        """
        mode = self.mode
        if mode == "auto":
            if self.slack_bot_token and self.slack_app_token:
                mode = "socket"
            elif self.slack_bot_token and self.slack_signing_secret:
                mode = "http"
            else:
                mode = "console"
        needs = {"http": ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"), "socket": ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"),
                 "console": ()}[mode]
        missing = [name for name in needs if not getattr(self, name.lower())]
        if missing:
            raise ConfigError(f"MODE={mode} needs {' and '.join(missing)} (set it in the environment or .env)")
        if mode == "socket" and not str(self.slack_app_token).startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token (xapp-..., scope connections:write)")
        return mode
