"""Each project's signing keys: the active one to sign with, all published ones to verify.

Private keys are stored sealed under the master secret and unsealed once per process.
The ring re-reads the database when a token names a ``kid`` it has not seen (at most once
a second per project), so a key rotated by another process is picked up without restart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from passgate.clock import Clock
from passgate.crypto.keys import (
    Algorithm,
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
from passgate.storage import keys_store
from passgate.storage.database import Database, Transaction

_SEAL_CONTEXT = "signing-key"
_REFETCH_SECONDS = 1.0
_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class _ProjectKeys:
    fetched_at: float
    signing: SigningKey | None
    verifying: dict[str, VerifyingKey]
    jwks: list[dict[str, Any]]


async def create_signing_key(
    tx: Transaction, secrets: Secrets, *, project_id: str, alg: Algorithm, now_ms: int, status: str = "active"
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
    )
    return kid


class KeyRing:
    def __init__(self, db: Database, secrets: Secrets, clock: Clock) -> None:
        self._db = db
        self._secrets = secrets
        self._clock = clock
        self._projects: dict[str, _ProjectKeys] = {}

    async def signing_key(self, project_id: str) -> SigningKey:
        """The project's active signing key."""
        keys = await self._keys(project_id)
        if keys.signing is None:
            keys = await self._load(project_id)
        if keys.signing is None:
            raise InternalError("project has no active signing key")
        return keys.signing

    async def jwks(self, project_id: str) -> list[dict[str, Any]]:
        """The public keys to publish (active, next and retired-but-still-valid)."""
        return (await self._keys(project_id)).jwks

    async def verifying_key(self, project_id: str, kid: str) -> VerifyingKey | None:
        """The public key named ``kid``, re-reading the database once if it is unknown."""
        keys = await self._keys(project_id)
        if kid not in keys.verifying and self._clock.now() - keys.fetched_at >= _REFETCH_SECONDS:
            keys = await self._load(project_id)
        return keys.verifying.get(kid)

    async def _keys(self, project_id: str) -> _ProjectKeys:
        keys = self._projects.get(project_id)
        if keys is None or self._clock.now() - keys.fetched_at >= _CACHE_SECONDS:
            keys = await self._load(project_id)
        return keys

    async def _load(self, project_id: str) -> _ProjectKeys:
        async with self._db.transaction(write=False) as tx:
            rows = await keys_store.published_keys(tx, project_id)
        previous = self._projects.get(project_id)
        signing = None
        for row in rows:
            if row["status"] == "active":
                signing = self._reuse_or_unseal(previous, row)
                break
        keys = _ProjectKeys(
            fetched_at=self._clock.now(),
            signing=signing,
            verifying={row["kid"]: verifying_key_from_jwk(row["public_jwk"]) for row in rows},
            jwks=[json.loads(row["public_jwk"]) for row in rows],
        )
        self._projects[project_id] = keys
        return keys

    def _reuse_or_unseal(self, previous: _ProjectKeys | None, row: dict[str, Any]) -> SigningKey:
        if previous and previous.signing and previous.signing.kid == row["kid"]:
            return previous.signing  # unsealing costs an AES-GCM open and a PEM parse
        pem = self._secrets.unseal(row["private_key_sealed"], f"{_SEAL_CONTEXT}:{row['kid']}")
        return SigningKey(kid=row["kid"], alg=row["alg"], private_key=private_key_from_pem(pem))
