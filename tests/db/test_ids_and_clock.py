import uuid

from gnapp.db.hlc import MAX_AHEAD_MS, HybridClock, Timestamp
from gnapp.db.ids import uuid7, uuid7_time_ms


def test_uuid7_is_version_7_and_sorts_by_creation():
    ids = [uuid7() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    u = uuid.UUID(ids[0])
    assert u.version == 7 and u.variant == uuid.RFC_4122


def test_uuid7_carries_its_creation_time():
    import time

    before = time.time_ns() // 1_000_000
    value = uuid7()
    assert before <= uuid7_time_ms(value) <= before + 1000


class FakeWall:
    def __init__(self, ms):
        self.ms = ms

    def __call__(self):
        return self.ms


def test_clock_never_goes_back_when_the_wall_clock_does():
    wall = FakeWall(1_700_000_000_000)
    clock = HybridClock("site-a", wall=wall)
    first = clock.now()
    wall.ms -= 3_600_000  # the PC's clock was set back an hour
    second = clock.now()
    third = clock.now()
    assert first < second < third
    assert Timestamp.parse(second).ms == Timestamp.parse(first).ms


def test_clock_resumes_from_its_persisted_reading():
    wall = FakeWall(1_000)
    last = HybridClock("site-a", wall=FakeWall(5_000)).now()
    assert HybridClock("site-a", last=last, wall=wall).now() > last


def test_observing_a_remote_time_moves_the_clock_forward():
    wall = FakeWall(1_000_000)
    clock = HybridClock("site-a", wall=wall)
    remote = str(Timestamp(1_005_000, 3, "site-b"))
    assert clock.observe(remote)
    assert clock.now() > remote


def test_a_remote_clock_more_than_a_day_ahead_does_not_drag_ours():
    wall = FakeWall(1_000_000)
    clock = HybridClock("site-a", wall=wall)
    remote = str(Timestamp(1_000_000 + MAX_AHEAD_MS + 1, 0, "site-b"))
    assert clock.observe(remote) is False
    assert Timestamp.parse(clock.now()).ms == 1_000_000


def test_timestamps_sort_as_text_in_time_order():
    stamps = [Timestamp(999, 5, "z"), Timestamp(1000, 0, "a"), Timestamp(1000, 1, "a")]
    assert sorted(map(str, stamps)) == [str(s) for s in sorted(stamps)]
    assert Timestamp.parse(str(stamps[0])) == stamps[0]
