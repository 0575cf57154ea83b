"""Xero's call limits (developer.xero.com/documentation/guides/oauth2/limits/): per
organisation 5 calls in flight, 60 per minute and ``organisations.day_limit`` per day (5,000;
1,000 on the Starter tier); per app 10,000 per minute across all organisations.

Windows are FIXED and start at each tenant's first call after the previous window ended.
Xero's current limits page says "fixed window which will reset at different times for each
tenant"; the older FAQ's "rolling" wording contradicts it, and the newer page wins. A fixed
window also gives an exact ``Retry-After``: the seconds until the window that refused the
call ends, after which the full budget is back.

Rejected calls (429) do not consume any budget: Xero counts calls it served, and a client
that keeps knocking while limited is not pushed further out. Windows are measured on the
SANDBOX clock (``/_sandbox/clock`` advances them, ``--time-scale`` shortens them).

State lives in memory behind one lock, so the check-and-consume is atomic under a threaded
server. A sandbox restart starts fresh windows, which only ever makes a client's life easier.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

MINUTE = 60.0
DAY = 86_400.0

# X-Rate-Limit-Problem values. Xero was seen sending "minute" and "day"
# (github.com/XeroAPI/xero-node/issues/634, github.com/XeroAPI/xero-python/issues/74). The
# other two are UNCONFIRMED: no public report shows the value Xero sends for the app-wide or
# the concurrent limit, so these are the names Xero's limits page gives them. A client should
# treat any 429 alike and not depend on these two words.
MINUTE_PROBLEM = "minute"
DAY_PROBLEM = "day"
APP_MINUTE_PROBLEM = "appminute"
CONCURRENT_PROBLEM = "concurrent"


@dataclass(frozen=True)
class Limits:
    """Xero's numbers; tests shrink them through ``POST /_sandbox/limits`` (traffic.py)."""
    concurrent: int = 5
    per_minute: int = 60
    app_per_minute: int = 10_000


@dataclass
class Window:
    """One fixed window: when it opened and how many calls it has served."""
    start: float
    length: float
    count: int = 0

    def ends(self) -> float:
        return self.start + self.length

    def is_open(self, now: float) -> bool:
        return now < self.ends()


@dataclass(frozen=True)
class Admission:
    """A call the limits let through; hold on to it to release its concurrency slot."""
    tenant_id: str
    client_id: str
    windows: tuple[Window, Window, Window]   # minute, day, app-minute it was counted in
    headers: dict[str, str]


@dataclass(frozen=True)
class Rejection:
    problem: str                 # one of the *_PROBLEM values
    retry_after: float           # SANDBOX seconds until the limit lifts
    headers: dict[str, str]


@dataclass
class Limiter:
    limits: Limits = field(default_factory=Limits)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _minute: dict[str, Window] = field(default_factory=dict, repr=False)
    _day: dict[str, Window] = field(default_factory=dict, repr=False)
    _app: dict[str, Window] = field(default_factory=dict, repr=False)
    _in_flight: dict[str, int] = field(default_factory=dict, repr=False)

    def admit(self, tenant_id: str, client_id: str, day_limit: int, now: float) -> Admission | Rejection:
        """Count the call and take a concurrency slot, or say which limit refuses it.

        Checked longest-lasting first, so Retry-After names the wait that really matters.
        """
        with self._lock:
            minute = self._current(self._minute, tenant_id, MINUTE, now)
            day = self._current(self._day, tenant_id, DAY, now)
            app = self._current(self._app, client_id, MINUTE, now)
            in_flight = self._in_flight.get(tenant_id, 0)
            checks = (
                (day.count >= day_limit, DAY_PROBLEM, day.ends() - now),
                (minute.count >= self.limits.per_minute, MINUTE_PROBLEM, minute.ends() - now),
                (app.count >= self.limits.app_per_minute, APP_MINUTE_PROBLEM, app.ends() - now),
                # Xero gives no reset time for the concurrent limit; a slot frees up in
                # about a call's duration, so one second (the smallest Retry-After).
                (in_flight >= self.limits.concurrent, CONCURRENT_PROBLEM, 0.0),
            )
            for exceeded, problem, wait in checks:
                if exceeded:
                    return Rejection(problem, wait, self._headers(minute, day, app, day_limit))
            for window in (minute, day, app):
                window.count += 1
            self._in_flight[tenant_id] = in_flight + 1
            return Admission(tenant_id, client_id, (minute, day, app),
                             self._headers(minute, day, app, day_limit))

    def release(self, admission: Admission) -> None:
        """Give back the concurrency slot (the call finished, however it ended)."""
        with self._lock:
            left = self._in_flight.get(admission.tenant_id, 0) - 1
            if left > 0:
                self._in_flight[admission.tenant_id] = left
            else:
                self._in_flight.pop(admission.tenant_id, None)

    def refund(self, admission: Admission, day_limit: int, now: float) -> dict[str, str]:
        """Un-count an admitted call that ends up answered with an (injected) 429, so it
        costs what a real 429 costs: nothing. Returns the headers after the refund."""
        with self._lock:
            for window in admission.windows:
                if window.is_open(now) and window.count > 0:
                    window.count -= 1
            minute, day, app = admission.windows
            return self._headers(minute, day, app, day_limit)

    def peek(self, tenant_id: str, client_id: str, day_limit: int, now: float) -> dict[str, str]:
        """The remaining-call headers without counting a call (offline answers)."""
        with self._lock:
            return self._headers(self._view(self._minute, tenant_id, MINUTE, now),
                                 self._view(self._day, tenant_id, DAY, now),
                                 self._view(self._app, client_id, MINUTE, now), day_limit)

    def admit_app_call(self, client_id: str, now: float) -> int | Rejection:
        """A call outside any organisation (``/connections``): it counts against the
        app-wide minute only, and is refused (429 "appminute") when that minute is spent.
        Returns the app's remaining calls this minute, or the Rejection."""
        with self._lock:
            app = self._current(self._app, client_id, MINUTE, now)
            if app.count >= self.limits.app_per_minute:
                return Rejection(APP_MINUTE_PROBLEM, app.ends() - now,
                                 {"X-AppMinLimit-Remaining": "0"})
            app.count += 1
            return max(0, self.limits.app_per_minute - app.count)

    def minute_reset_in(self, tenant_id: str, now: float) -> float:
        """Sandbox seconds until the tenant's minute window ends (a full minute if none is open)."""
        with self._lock:
            window = self._minute.get(tenant_id)
            return window.ends() - now if window and window.is_open(now) else MINUTE

    def in_flight(self, tenant_id: str) -> int:
        with self._lock:
            return self._in_flight.get(tenant_id, 0)

    # -- internals (call with the lock held) --------------------------------------------------
    @staticmethod
    def _current(windows: dict[str, Window], key: str, length: float, now: float) -> Window:
        window = windows.get(key)
        if window is None or not window.is_open(now):
            window = windows[key] = Window(start=now, length=length)
        return window

    @staticmethod
    def _view(windows: dict[str, Window], key: str, length: float, now: float) -> Window:
        window = windows.get(key)
        return window if window is not None and window.is_open(now) else Window(now, length)

    def _headers(self, minute: Window, day: Window, app: Window, day_limit: int) -> dict[str, str]:
        return {
            "X-DayLimit-Remaining": str(max(0, day_limit - day.count)),
            "X-MinLimit-Remaining": str(max(0, self.limits.per_minute - minute.count)),
            "X-AppMinLimit-Remaining": str(max(0, self.limits.app_per_minute - app.count)),
        }
