"""Simulated time.

Every duration inside the simulator is in *simulated* seconds. Simulated time runs ``time_scale`` times as fast as
real (monotonic) time, so a job of 10 simulated seconds at ``time_scale=10`` takes one real second.
"""

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable


class SimClock:
    """Monotonic simulated clock with a changeable speed.

    ``now()`` is simulated seconds since the clock was created (float); ``wall(t)`` maps such a value to an aware
    local datetime; ``to_real(seconds)`` converts a simulated duration into real seconds.
    """

    def __init__(self, time_scale: float = 1.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._scale = float(time_scale)
        self._real0 = monotonic()
        self._sim0 = 0.0
        self._wall0 = datetime.now(timezone.utc).astimezone()

    @property
    def time_scale(self) -> float:
        """Simulated seconds per real second."""
        return self._scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        if value <= 0:
            raise ValueError("time_scale must be > 0")
        with self._lock:
            real = self._monotonic()
            self._sim0 = self._sim0 + (real - self._real0) * self._scale
            self._real0 = real
            self._scale = float(value)

    def advance(self, seconds: float) -> None:
        """Jump simulated time forward by ``seconds`` (>= 0), so tests never wait for the clock in real time."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        with self._lock:
            self._sim0 += float(seconds)

    def now(self) -> float:
        """Current simulated time in seconds since start."""
        with self._lock:
            return self._sim0 + (self._monotonic() - self._real0) * self._scale

    def to_real(self, seconds: float) -> float:
        """Real seconds that ``seconds`` simulated seconds take at the current scale."""
        return seconds / self._scale

    def wall(self, sim_time: float) -> datetime:
        """Aware datetime (local offset, second precision) for a simulated time."""
        return (self._wall0 + timedelta(seconds=sim_time)).replace(microsecond=0)

    def localize(self, moment: datetime) -> datetime:
        """``moment`` in the cluster's time zone (a naive one is taken as cluster time), second precision."""
        tzinfo = self._wall0.tzinfo
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tzinfo)
        return moment.astimezone(tzinfo).replace(microsecond=0)

    def iso(self, sim_time: float) -> str:
        """ISO-8601 with offset, e.g. ``2024-05-01T10:00:00+00:00``, for a simulated time."""
        return self.wall(sim_time).isoformat()
