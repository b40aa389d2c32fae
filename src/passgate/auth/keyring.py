"""Each project's signing keys: the active one to sign with, all published ones to verify,
and rotation.

Private keys are stored sealed under the master secret and unsealed once per process.
Rotation (``passgate keys rotate``) adds a *next* key, published in the JWKS at once but
signing only from its ``activate_at``, so verifiers with a cached JWKS learn it first. The
first process to load the keys after that time promotes it (one guarded ``UPDATE``) and
retires the old key, which stays published until every token it signed has expired.

The ring re-reads the database every ``cache_seconds`` and when a token names a ``kid``
it has not seen (at most once a second per project), so a rotation done by another
process is picked up without a restart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from passgate.clock import Clock
from passgate.crypto.keys import (
    SigningKey,
    VerifyingKey,
    generate_private_key,
    private_key_from_pem,
    private_key_to_pem,
    public_jwk,
    verifying_key_from_jwk,
)
from passgate.crypto.sealing import Secrets
from passgate.errors import InternalError
from passgate.identifiers import new_key_id
from passgate.models.keys import Algorithm
from passgate.models.projects import Project
from passgate.storage import keys_store
from passgate.storage.database import Database, Row, Transaction

_SEAL_CONTEXT = "signing-key"
_REFETCH_SECONDS = 1.0


@dataclass(frozen=True)
class _ProjectKeys:
    fetched_at: float
    signing: SigningKey | None
    verifying: dict[str, VerifyingKey]
    jwks: list[dict[str, Any]]


async def create_signing_key(
    tx: Transaction,
    secrets: Secrets,
    *,
    project_id: str,
    alg: Algorithm,
    now_ms: int,
    status: str = "active",
    activate_at_ms: int | None = None,
) -> str:
    """Generate, seal and store a key for the project; returns its ``kid``."""
    kid = new_key_id()
    private_key = generate_private_key(alg)
    await keys_store.insert_signing_key(
        tx,
        kid=kid,
        project_id=project_id,
        alg=alg,
        private_key_sealed=secrets.seal(private_key_to_pem(private_key), f"{_SEAL_CONTEXT}:{kid}"),
        public_jwk=json.dumps(public_jwk(private_key.public_key(), alg, kid)),
        status=status,
        now_ms=now_ms,
        activate_at_ms=activate_at_ms,
    )
    return kid


class KeyRing:
    def __init__(self, db: Database, secrets: Secrets, clock: Clock, cache_seconds: float = 60.0) -> None:
        self._db = db
        self._secrets = secrets
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._projects: dict[str, _ProjectKeys] = {}

    async def signing_key(self, project: Project) -> SigningKey:
        """The project's active signing key."""
        keys = await self._keys(project)
        if keys.signing is None:
            keys = await self._load(project)
        if keys.signing is None:
            raise InternalError("project has no active signing key")
        return keys.signing

    async def jwks(self, project: Project) -> list[dict[str, Any]]:
        """The public keys to publish (active, next, and retired ones still needed)."""
        return (await self._keys(project)).jwks

    async def verifying_key(self, project: Project, kid: str) -> VerifyingKey | None:
        """The public key named ``kid``, re-reading the database once if it is unknown."""
        keys = await self._keys(project)
        if kid not in keys.verifying and self._clock.now() - keys.fetched_at >= _REFETCH_SECONDS:
            keys = await self._load(project)
        return keys.verifying.get(kid)

    async def _keys(self, project: Project) -> _ProjectKeys:
        keys = self._projects.get(project.id)
        if keys is None or self._clock.now() - keys.fetched_at >= self._cache_seconds:
            keys = await self._load(project)
        return keys

    async def _load(self, project: Project) -> _ProjectKeys:
        now_ms = int(self._clock.now() * 1000)
        horizon = now_ms - max(project.settings.refresh_ttl_seconds, project.settings.session_ttl_seconds) * 1000
        async with self._db.transaction(write=False) as tx:
            rows = await keys_store.published_keys(tx, project.id, horizon)
        due = [row for row in rows if row["status"] == "next" and (row["activate_at"] or 0) <= now_ms]
        if due:
            async with self._db.transaction() as tx:
                await keys_store.promote(tx, project.id, due[0]["kid"], now_ms)
                rows = await keys_store.published_keys(tx, project.id, horizon)
        keys = _ProjectKeys(
            fetched_at=self._clock.now(),
            signing=self._signing(project.id, rows),
            verifying={row["kid"]: verifying_key_from_jwk(row["public_jwk"]) for row in rows},
            jwks=[json.loads(row["public_jwk"]) for row in rows],
        )
        self._projects[project.id] = keys
        return keys

    def _signing(self, project_id: str, rows: list[Row]) -> SigningKey | None:
        active = next((row for row in rows if row["status"] == "active"), None)
        if active is None:
            return None
        previous = self._projects.get(project_id)
        if previous and previous.signing and previous.signing.kid == active["kid"]:
            return previous.signing  # unsealing costs an AES-GCM open and a PEM parse
        pem = self._secrets.unseal(active["private_key_sealed"], f"{_SEAL_CONTEXT}:{active['kid']}")
        return SigningKey(kid=active["kid"], alg=active["alg"], private_key=private_key_from_pem(pem))
