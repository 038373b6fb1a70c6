"""Settings of the experiments, from the environment (``.env`` too)."""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ml.experiments.definition import DEFAULT_WINDOW_DAYS, BadExperiment, parse_experiments


class ExperimentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    # "name:arm=weight,arm=weight;..." (arms: model, popular; the first is the control); the table
    # ``experiments`` may define more. /recommend serves the arm of the first active experiment.
    experiments: str = ""
    # the salt of the assignment hash: change it and every customer is reshuffled
    experiment_salt: str = "caddie"
    experiment_window_days: int = DEFAULT_WINDOW_DAYS
    # the smallest difference in conversion worth detecting (absolute: 0.02 = 2 points), for sample sizes
    experiment_minimum_effect: float = 0.02
    database_url: str = "sqlite:///var/caddie.db"

    @field_validator("experiments")
    @classmethod
    def _valid(cls, value: str) -> str:
        try:
            parse_experiments(value)
        except BadExperiment as exc:  # pydantic reports ValueErrors with the setting's name
            raise ValueError(str(exc)) from None
        return value
