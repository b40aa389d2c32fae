"""The in-process moving windows behind rate limits when there is no Redis."""

from __future__ import annotations

from passgate.auth.windows import MovingWindows


class Ticking:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_window_admits_its_amount_then_says_how_long_to_wait() -> None:
    clock = Ticking()
    windows = MovingWindows(clock)
    assert [windows.hit(("k",), 3, 60) for _ in range(3)] == [0, 0, 0]
    clock.now += 10
    assert windows.hit(("k",), 3, 60) == 50  # the first hit leaves the window 50 s from now
    clock.now += 50
    assert windows.hit(("k",), 3, 60) == 0
    assert windows.hit(("other",), 3, 60) == 0  # keys are independent


def test_refused_hits_are_not_counted() -> None:
    clock = Ticking()
    windows = MovingWindows(clock)
    windows.hit(("k",), 1, 30)
    for _ in range(100):
        clock.now += 0.1
        assert windows.hit(("k",), 1, 30) > 0
    clock.now = 1030.0
    assert windows.hit(("k",), 1, 30) == 0  # 30 s after the one counted hit, not after the last refusal


def test_idle_keys_are_forgotten_so_memory_does_not_grow_with_every_login_id() -> None:
    clock = Ticking()
    windows = MovingWindows(clock)
    for n in range(10_000):
        windows.hit(("login", str(n)), 5, 30)
    assert len(windows) == 10_000
    clock.now += 61  # past every window and the sweep interval
    windows.hit(("login", "fresh"), 5, 30)
    assert len(windows) == 1
