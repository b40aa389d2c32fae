"""The body of ``POST /v1/mgmt/project/settings`` (passgate's own route; the answer is
``models.ProjectSettings`` itself)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

_EXAMPLE = {"otp_length": 8, "enabled_channels": ["email", "sms"]}

SettingsPatch = Annotated[
    dict[str, Any],
    Field(description="The settings to change (merge patch; null resets one)", examples=[_EXAMPLE]),
]
