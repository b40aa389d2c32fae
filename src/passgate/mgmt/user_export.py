"""Exporting a project's users as import records (``user_records``), page by page.

Password hashes are written as they are stored (argon2id, or a hash imported from elsewhere
that has not signed in since). TOTP secrets are written sealed, as stored — they open only
on a server with the same master secret, for the same user ID — unless the caller asks for
them in the clear (``clear_secrets``: the export file then holds what signs those users in).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from passgate.auth import totp
from passgate.auth.context import AuthContext
from passgate.mgmt.user_records import record_of
from passgate.models.projects import Project
from passgate.storage import identities_store, passwords_store, totp_store, users_store, webauthn_store

PAGE = 500


async def export_users(
    ctx: AuthContext, project: Project, *, clear_secrets: bool = False
) -> AsyncIterator[dict[str, Any]]:
    """Every user of the project as a record, in user-ID order (test users too)."""
    after = ""
    while True:
        async with ctx.db.transaction(write=False) as tx:
            users = await users_store.page_by_id(tx, project.id, after, PAGE)
            ids = [user.id for user in users]
            passwords = await passwords_store.of_users(tx, ids)
            apps = await totp_store.of_users(tx, ids)
            passkeys = await webauthn_store.credentials_of_users(tx, ids)
            identities = await identities_store.of_users(tx, ids)
        for user in users:
            app = apps.get(user.id)
            secret: Any = ""
            if app is not None and app.secret:
                secret = (
                    {"secret": totp.clear_secret(ctx.secrets, user.id, app.secret)}
                    if clear_secrets
                    else {"sealed": app.secret}
                )
            yield record_of(user, passwords.get(user.id), secret, passkeys[user.id], identities[user.id])
        if len(users) < PAGE:
            return
        after = users[-1].id
