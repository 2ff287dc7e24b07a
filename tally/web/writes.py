"""Who may write through the web (analyst corrections): the holder of one token, and no one when none is set.

The token comes from ``tally serve --write-token-file PATH`` or ``$TALLY_WRITE_TOKEN``. Every write route checks,
in this order: writes enabled (else 403 "writes disabled"), ``Authorization: Bearer <token>`` (else 401, compared
in constant time), a JSON body (else 415), a JSON object (else 400).
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import os
from pathlib import Path
from typing import Any, Mapping

from fastapi import HTTPException, Request

from tally.errors import ConfigError

MIN_TOKEN = 16
ENV = "TALLY_WRITE_TOKEN"
DISABLED = ("writes disabled: start `tally serve` with --write-token-file PATH (or $TALLY_WRITE_TOKEN) to allow "
            "analyst corrections")


def load_token(path: str | None, env: Mapping[str, str] = os.environ) -> str | None:
    """The write token from the file at ``path``, else from $TALLY_WRITE_TOKEN; None when neither is set."""
    if path:
        try:
            token = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read the write token file {path}: {exc}", code="T110") from exc
        origin = f"the write token file {path}"
    else:
        token = (env.get(ENV) or "").strip()
        origin = f"${ENV}"
        if not token:
            return None
    if len(token) < MIN_TOKEN:
        raise ConfigError(f"{origin} holds a token of {len(token)} characters; use at least {MIN_TOKEN} "
                          "(for example: python -c 'import secrets; print(secrets.token_urlsafe(24))')", code="T110")
    return token


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_writer(request: Request) -> None:
    """Raise the 403, 401 or 415 a write request earns; return when it may go on."""
    token: str | None = request.app.state.write_token
    if not token:
        raise HTTPException(403, DISABLED)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise HTTPException(401, "a write needs the header `Authorization: Bearer <write token>`; "
                                 "this one is missing or wrong", headers={"WWW-Authenticate": "Bearer"})
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise HTTPException(415, f"a write takes a JSON body (Content-Type: application/json), not {media or 'none'!r}")


async def write_body(request: Request) -> dict[str, Any]:
    """The checked request's JSON object, or a 400 saying what is wrong with it."""
    check_writer(request)
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"the body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise HTTPException(400, f"the body must be a JSON object, not {type(body).__name__}")
    return body
