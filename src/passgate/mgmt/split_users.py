"""Users split by spelling: stored login IDs that name one address in different forms.

Before login IDs were canonicalised at the edge (NFKC, ``tel:``/``mailto:`` stripped), a
person could become several users — ``+14155550100``, ``tel:+14155550100`` and the
full-width ``＋１４１５５５５０１００`` — and a stored non-canonical login ID can no longer be
reached by signing in (the request's canonical form finds another user or none). This
finds both cases, for an operator to merge or delete; it changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from passgate.addresses import leniently, normalize_login_id
from passgate.auth.context import AuthContext
from passgate.models.projects import Project
from passgate.storage import users_store

_PAGE = 5000


@dataclass(frozen=True)
class Spelling:
    """One stored login ID and the user holding it."""

    login_id: str
    user_id: str


@dataclass(frozen=True)
class SplitLogin:
    """The stored spellings of one canonical login ID: several users (split) or one user
    holding only a non-canonical form (stranded: sign-in no longer reaches it)."""

    canonical: str
    spellings: tuple[Spelling, ...]

    @property
    def split(self) -> bool:
        return len({spelling.user_id for spelling in self.spellings}) > 1


async def find_split_logins(ctx: AuthContext, project: Project) -> list[SplitLogin]:
    """Every canonical login ID of ``project`` whose stored spellings are split or stranded,
    ordered by canonical form."""
    groups: dict[str, list[Spelling]] = {}
    async for spelling in _stored_login_ids(ctx, project):
        # the form the edge gives it today; itself if it is no longer valid at all
        groups.setdefault(leniently(normalize_login_id, spelling.login_id), []).append(spelling)
    return [
        SplitLogin(canonical, tuple(spellings))
        for canonical, spellings in sorted(groups.items())
        if len(spellings) > 1 or spellings[0].login_id != canonical
    ]


async def _stored_login_ids(ctx: AuthContext, project: Project) -> AsyncIterator[Spelling]:
    """The project's login IDs, a page per short read transaction (a scan of 10^6 users
    must not hold one transaction open against the writers)."""
    after = ""
    while True:
        async with ctx.db.transaction(write=False) as tx:
            page = await users_store.login_id_page(tx, project.id, after, _PAGE)
        for login_id, user_id in page:
            yield Spelling(login_id, user_id)
        if len(page) < _PAGE:
            return
        after = page[-1][0]
