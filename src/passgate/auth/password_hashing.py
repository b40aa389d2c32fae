"""Hashing and checking passwords off the event loop.

argon2id costs tens of milliseconds of one core by design; run on the event loop it would
stall every other request. Hashes run on a pool of ``workers`` threads (argon2-cffi and
bcrypt release the GIL), which also bounds how many run at once: a burst of sign-ins queues
here instead of taking ``workers x memory`` beyond what was planned.

An unknown login ID is answered after the same work as a known one (``check_unknown``
verifies against a hash of a random password made once), so the answer's timing does not
say which login IDs exist.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from passgate.crypto import password_hashes
from passgate.crypto.password_hashes import Argon2Parameters

T = TypeVar("T")


class PasswordHashing:
    """argon2id with the server's parameters, on its own threads."""

    def __init__(self, params: Argon2Parameters | None = None, workers: int = 0) -> None:
        self.params = params or Argon2Parameters()
        self._pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1, thread_name_prefix="pwhash")
        self._decoy: str | None = None

    async def _run(self, work: partial[T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    async def hash(self, password: str) -> str:
        """The stored form of ``password`` (argon2id PHC text)."""
        return await self._run(partial(password_hashes.hash_password, password, self.params))

    async def check(self, stored: str, password: str) -> bool:
        """Whether ``password`` matches ``stored`` (native or imported)."""
        return await self._run(partial(password_hashes.verify_password, stored, password))

    async def check_unknown(self, password: str) -> None:
        """The work of a check, for a login ID with no password (the answer is always no)."""
        if self._decoy is None:
            self._decoy = await self.hash(secrets.token_urlsafe(24))
        await self.check(self._decoy, password)

    def outdated(self, stored: str) -> bool:
        """Whether ``stored`` should be rehashed: imported, or made with other parameters."""
        return password_hashes.needs_rehash(stored, self.params)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
