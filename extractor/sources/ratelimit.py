"""A sliding-window rate limit: at most `max_requests` in any `period` seconds.

NCBI allows 3 requests/s without an API key and 10 with one, counted over any one-second window, so a
burst of three is fine but a fourth must wait until the first is a full period old. The clock and the
sleep are injectable so the logic can be tested without waiting; the client uses the real ones.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        max_requests: int,
        period: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_requests < 1 or period <= 0:
            raise ValueError("a rate limit needs max_requests >= 1 and period > 0")
        self.max_requests = max_requests
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque(maxlen=max_requests)  # start times of the latest requests

    def wait(self) -> None:
        """Block until one more request fits in the window, then count it as sent now."""
        if len(self._sent) == self.max_requests:
            free_at = self._sent[0] + self.period
            delay = free_at - self._clock()
            if delay > 0:
                self._sleep(delay)
        self._sent.append(self._clock())
