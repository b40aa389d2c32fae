"""The error catalogue is stable and documented."""

from __future__ import annotations

from pathlib import Path

from passgate.errors import DatabaseUnavailable, PassgateError, all_error_classes

CATALOGUE = (Path(__file__).parents[2] / "docs" / "errors.md").read_text()


def test_every_error_code_is_unique_and_documented() -> None:
    concrete = [cls for cls in all_error_classes() if cls is not PassgateError]
    codes = [cls.code for cls in concrete]
    assert len(codes) == len(set(codes)), "two error classes share a code"
    for cls in concrete:
        assert f"| `{cls.code}` | {cls.status} | `{cls.__name__}` |" in CATALOGUE, cls.__name__


def test_only_an_unavailable_database_uses_a_status_the_sdks_retry() -> None:
    """The SDKs retry these statuses with ~10 s of sleeps: right for an outage, which is
    over when the retries are, wrong for anything else."""
    retried = {503, 520, 521, 522, 524, 530}
    assert [cls for cls in all_error_classes() if cls.status in retried] == [DatabaseUnavailable]
