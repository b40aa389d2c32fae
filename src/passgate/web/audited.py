"""Wrap an endpoint so every call lands in the audit trail with its outcome."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel

from passgate.auth import audit
from passgate.errors import PassgateError
from passgate.web.bearer import AuthCall

P = ParamSpec("P")
R = TypeVar("R")


def audited(action: str, endpoint: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """``endpoint``, recording ``action`` as a success or a failure (with its error code).

    Calls refused before the project is known (bad bearer) have no project to record in.
    """

    @functools.wraps(endpoint)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        call = next((value for value in kwargs.values() if isinstance(value, AuthCall)), None)
        login_id = _login_id(kwargs.get("body"))
        try:
            result = await endpoint(*args, **kwargs)
        except PassgateError as error:
            if call is not None:
                await audit.record(
                    call.ctx, call.project.id, action, error=error, login_id=login_id, caller=call.caller
                )
            raise
        if call is not None:
            await audit.record(
                call.ctx, call.project.id, action, user_id=_user_id(result), login_id=login_id, caller=call.caller
            )
        return result

    return wrapper


def _login_id(body: Any) -> str | None:
    value = body.__dict__.get("loginId") if isinstance(body, BaseModel) else None
    return value if isinstance(value, str) and value else None


def _user_id(result: Any) -> str | None:
    if not isinstance(result, BaseModel):
        return None
    # Read from the model's field values: a missing attribute goes through pydantic's slow
    # __getattr__ (~2 % of OTP start's CPU, answered by an exception).
    user = result.__dict__.get("user", result)
    value = user.__dict__.get("userId") if isinstance(user, BaseModel) else None
    return value if isinstance(value, str) else None
