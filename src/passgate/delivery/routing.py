"""Which providers deliver a message, in failover order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from passgate.delivery.senders import Sender


@dataclass(frozen=True)
class Provider:
    id: str
    channels: frozenset[str]
    sender: Sender


class ProviderRouter:
    """Configured providers in order; channels with none use the development sender."""

    def __init__(self, providers: Sequence[Provider], development: Sender) -> None:
        self._providers = list(providers)
        self._development = Provider(id="development", channels=frozenset(), sender=development)

    def providers_for(self, channel: str, wanted: Sequence[str] = ()) -> list[Provider]:
        """The providers to try for ``channel``: the ``wanted`` IDs (in that order) if given,
        else every provider serving the channel; empty if ``wanted`` names none that does."""
        serving = [p for p in self._providers if channel in p.channels]
        if wanted:
            return [p for name in wanted for p in serving if p.id == name]
        return serving or [self._development]
