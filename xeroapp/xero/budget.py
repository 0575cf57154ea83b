"""Xero's call budget, kept in Redis so every worker process shares it.

Xero allows each organisation 5 calls in flight, 60 per minute and a daily allowance (5,000;
1,000 on the Starter tier), and the app as a whole 10,000 calls per minute across all
organisations; it answers 429 beyond them (https://developer.xero.com/documentation/oauth2/limits).
Peers find out by being refused; we count before calling, so a bulk push runs at the ceiling
without a 429.

One Lua script checks and takes a slot atomically (no MULTI/WATCH retry loops, no races
between processes), on Redis's own clock so that processes on different machines agree:

- in flight: a sorted set of slot tokens scored by a lease expiry. ``release`` removes the
  token (always, through ``Budget.slot``'s ``finally``); a process killed mid-call leaves a
  token that expires after ``LEASE_SECONDS``, longer than any HTTP call may take.
- per minute / per day: sliding logs (sorted sets of call times). A sliding log never lets
  any 60-second span hold more than 60 calls, so whichever window Xero counts in, it is
  respected; a small margin covers the time between taking a slot and Xero seeing the call.
- Xero's word: X-MinLimit-Remaining / X-DayLimit-Remaining after each call. When Xero says
  fewer calls remain than we think (another app on the same organisation, a restart that lost
  our logs), its number becomes a ceiling that each later call spends; when it says more, our
  own count stands. (A 429 is waited out by the job that received it, for its Retry-After;
  the zero remaining it reports reaches everyone through the same headers.)
- The app-wide minute: a sliding log of every call of the app (all organisations), and
  Xero's X-AppMinLimit-Remaining, which every response carries (``/connections`` too), read
  the same way. Other processes using the same Xero app (another deployment, a script) spend
  it without our knowing; once Xero's figure runs out, every organisation's calls get
  NotBefore ("app") instead of meeting an app-wide 429. Its keys live in a hash slot of their
  own, so the app check is a script of its own, run before the organisation's.
- Sharing the app's minute (max-min fairness): when hundreds of organisations push at once
  (10,000 ÷ 60 ≈ 166 at their own ceiling), whoever asks most often would otherwise win
  each freed slot. Once the app's minute is nearly spent (fewer than 10% of its calls left,
  by our count or Xero's), an organisation takes a slot only while its own calls in the
  window are below an equal share (the minute ÷ the organisations with a call in it): a
  small organisation always gets in, a greedy one is held at its share, and as the window
  slides the freed slots go to those below theirs. One refused is told to come back when
  enough of its own calls have left the window (or the app's count drops below the
  threshold), but within a twelfth of the window, as shares grow when others fall idle.
  Why 10%: below it nothing is checked (one organisation alone keeps its full speed); the
  only cost of sharing is calls left unused while the greedy wait, at most that 10%; and
  it is room enough for organisations arriving late (1,000 calls: 6 each for 166).
  Per-organisation logs of the app's window, and its organisations by their latest call,
  sit in the app's hash slot: each check is O(log n). The share holds for every call, a
  person's too; bulk work (``bulk=True``) also leaves the last 2% to people and reads.

Acquiring answers "go" (a Slot) or "not before T" (NotBefore); the only sleeping is a short
wait (< 1 s) for a concurrency slot, which frees in well under a second at Xero's speed.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import redis
from redis.exceptions import RedisError

from xeroapp.xero.errors import RateLimited

log = logging.getLogger(__name__)

CONCURRENT = 5
PER_MINUTE = 60
APP_PER_MINUTE = 10_000
DEFAULT_DAILY = 5000
MINUTE = 60.0
DAY = 86_400.0
# Counted on top of a window: our clock starts a call slightly before Xero's does.
WINDOW_MARGIN = 1.0
# A slot whose process died is given back after this; an HTTP call gives up after 40 s.
LEASE_SECONDS = 90.0
# How long a worker may wait in-process for one of the 5 concurrency slots.
MAX_SLOT_WAIT = 0.8
SLOT_POLL = 0.02
# Xero's "remaining" figures are trusted for this long: a minute figure at most until that
# minute is over; a day figure for an hour, after which one call is let through to ask again.
MINUTE_TRUST = 60.0
DAY_TRUST = 3600.0
PREFIX = "xero:budget"
# The app's minute is shared out fairly once more than this part of it is counted (or Xero
# says as little remains). Below, no one is held back; above, what is left (1,000 calls at
# Xero's 10,000) is what organisations under their share still find when others are greedy.
FAIR_FROM = 0.9
# The last calls of the app's minute are left to non-bulk work (a person's Send, reads).
BULK_RESERVE = 0.02
# The longest "not before" a fair-share refusal gives, as a part of the window: shares grow
# when other organisations fall idle, which only asking again notices.
FAIR_RECHECK = 1 / 12

# KEYS: inflight, minute log, day log, minute ceiling, day ceiling
# ARGV: token, concurrent, per_minute, per_day, minute_seconds, day_seconds, lease
# Returns {1, now} (go) or {0, wait_seconds, reason}; numbers as strings (Lua floats).
ACQUIRE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local concurrent, per_minute, per_day = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local minute_s, day_s, lease = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - minute_s)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - day_s)

local function ceiling_wait(key)
  local left = redis.call('GET', key)
  if left and tonumber(left) <= 0 then
    local ttl = redis.call('PTTL', key)
    return math.max(ttl, 1) / 1000
  end
  return nil
end

if redis.call('ZCARD', KEYS[3]) >= per_day then
  local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  return {0, tostring(tonumber(oldest[2]) + day_s - now), 'day'}
end
local wait = ceiling_wait(KEYS[5])
if wait then return {0, tostring(wait), 'day'} end
if redis.call('ZCARD', KEYS[2]) >= per_minute then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, tostring(tonumber(oldest[2]) + minute_s - now), 'minute'}
end
wait = ceiling_wait(KEYS[4])
if wait then return {0, tostring(wait), 'minute'} end
if redis.call('ZCARD', KEYS[1]) >= concurrent then
  return {0, '0', 'concurrent'}
end

redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(lease * 1000))
redis.call('PEXPIRE', KEYS[2], math.ceil(minute_s * 1000))
redis.call('PEXPIRE', KEYS[3], math.ceil(day_s * 1000))
for _, key in ipairs({KEYS[4], KEYS[5]}) do
  if redis.call('EXISTS', key) == 1 then redis.call('DECR', key) end
end
return {1, tostring(now)}
"""

# Believe Xero's "remaining" figure when it is lower than our own count says (see above).
_BELIEVE = """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local function believe(log_key, ceiling_key, said, limit, window, trust)
  if said == '' then return end
  redis.call('ZREMRANGEBYSCORE', log_key, '-inf', now - window)
  local ours = limit - redis.call('ZCARD', log_key)
  if tonumber(said) < ours then
    redis.call('SET', ceiling_key, said, 'PX', math.ceil(trust * 1000))
  else
    redis.call('DEL', ceiling_key)
  end
end
"""

# KEYS: minute log, day log, minute ceiling, day ceiling
# ARGV: minute remaining ('' if absent), day remaining, per_minute, per_day,
#       minute_seconds, day_seconds, minute_trust, day_trust
HEARD = _BELIEVE + """
believe(KEYS[1], KEYS[3], ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[5]), tonumber(ARGV[7]))
believe(KEYS[2], KEYS[4], ARGV[2], tonumber(ARGV[4]), tonumber(ARGV[6]), tonumber(ARGV[8]))
return 1
"""

# KEYS: app minute log, app ceiling
# ARGV: app remaining, app_per_minute, minute_seconds, minute_trust
APP_HEARD = _BELIEVE + """
believe(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
return 1
"""

# The app-wide rule, shared by APP_ACQUIRE and PEEK. It only reads (ZCOUNT, ZRANGEBYSCORE,
# GET, PTTL), counting what lies inside the window, so PEEK can use it without pruning.
# Returns nil (a call may take an app slot now) or the seconds until it should ask again.
#   log: the app's minute log; told: Xero's ceiling; active: tenant -> its latest call;
#   own: the organisation's calls in the app's window; slack: calls left at which sharing
#   starts; reserve: calls left to non-bulk work (0 for them); recheck: the longest wait a
#   fair-share refusal is given (the share grows when organisations fall idle).
_APP_RULE = """
local function app_wait(log, told_key, active, own, now, limit, window, slack, reserve, recheck)
  local since = '(' .. (now - window)
  local function leaves(key, k)  -- when the k-th oldest call counted in key leaves the window
    local at = redis.call('ZRANGEBYSCORE', key, since, '+inf', 'WITHSCORES', 'LIMIT', k - 1, 1)
    if not at[2] then return recheck end
    return tonumber(at[2]) + window - now
  end
  local count = redis.call('ZCOUNT', log, since, '+inf')
  local room = limit - count
  local told = redis.call('GET', told_key)
  told = told and tonumber(told)
  local left = told and math.min(room, told) or room
  if left <= reserve then
    local wait = 0
    if room <= reserve then wait = leaves(log, reserve - room + 1) end
    if told and told <= reserve then
      wait = math.max(wait, math.max(redis.call('PTTL', told_key), 1) / 1000)
    end
    return wait
  end
  if left > slack then return nil end
  -- The minute binds: an organisation may go while under its share of it.
  local mine = redis.call('ZCOUNT', own, since, '+inf')
  if mine == 0 then return nil end
  local share = (count + left) / math.max(redis.call('ZCOUNT', active, since, '+inf'), 1)
  if mine < share then return nil end
  -- Not before enough of its own calls leave to bring it under its share, or the app under
  -- the threshold, whichever is first.
  local wait = math.min(leaves(own, math.floor(mine - share) + 1), recheck)
  if room <= slack then wait = math.min(wait, leaves(log, slack - room + 1)) end
  return wait
end
"""

# KEYS: app minute log, app ceiling, app active organisations, the organisation's app log
# ARGV: token, tenant, app_per_minute, minute_seconds, slack, reserve, recheck
# Returns {1, now} (counted) or {0, wait_seconds, 'app'}.
APP_ACQUIRE = _APP_RULE + """
redis.replicate_commands()
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[4])
local logs = {KEYS[1], KEYS[3], KEYS[4]}
for _, key in ipairs(logs) do redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window) end
local wait = app_wait(KEYS[1], KEYS[2], KEYS[3], KEYS[4], now, tonumber(ARGV[3]), window,
                      tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]))
if wait then return {0, tostring(wait), 'app'} end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('ZADD', KEYS[4], now, ARGV[1])
for _, key in ipairs(logs) do redis.call('PEXPIRE', key, math.ceil(window * 1000)) end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DECR', KEYS[2]) end
return {1, tostring(now)}
"""

# The organisation refused a call the app minute had already counted: un-count it, from the
# app's log, Xero's ceiling and the organisation's own app log; the organisation stays active
# only through a call it really made (its latest one left), or not at all.
# KEYS: as APP_ACQUIRE; ARGV: token, tenant
APP_REFUND = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('INCR', KEYS[2])
end
redis.call('ZREM', KEYS[4], ARGV[1])
local last = redis.call('ZRANGE', KEYS[4], -1, -1, 'WITHSCORES')
if last[2] then
  redis.call('ZADD', KEYS[3], 'XX', last[2], ARGV[2])
else
  redis.call('ZREM', KEYS[3], ARGV[2])
end
return 1
"""


# The same checks as ACQUIRE and APP_ACQUIRE, counting nothing: "could a call start now?"
# for work that would rather not start at all than start and be told to wait (a bulk lane).
# KEYS: inflight, minute log, day log, minute ceiling, day ceiling, then the app's four keys
#       (as APP_ACQUIRE)
# ARGV: concurrent, per_minute, per_day, minute_seconds, day_seconds, then APP_ACQUIRE's
#       from its third on (app_per_minute, minute_seconds, slack, reserve, recheck)
# Returns {1} (a call could go now) or {0, wait_seconds, reason}.
# (The app keys sit in another hash slot: on a Redis Cluster, call it per part.)
PEEK = _APP_RULE + """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local concurrent, per_minute, per_day = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local minute_s, day_s, app_per_minute = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])

local function full(key, since, limit, window)
  if redis.call('ZCOUNT', key, '(' .. since, '+inf') < limit then return nil end
  local oldest = redis.call('ZRANGEBYSCORE', key, '(' .. since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return tonumber(oldest[2]) + window - now
end
local function spent(key)
  local left = redis.call('GET', key)
  if left and tonumber(left) <= 0 then return math.max(redis.call('PTTL', key), 1) / 1000 end
  return nil
end

local wait = app_wait(KEYS[6], KEYS[7], KEYS[8], KEYS[9], now, app_per_minute, minute_s,
                      tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]))
if wait then return {0, tostring(wait), 'app'} end
wait = full(KEYS[3], now - day_s, per_day, day_s) or spent(KEYS[5])
if wait then return {0, tostring(wait), 'day'} end
wait = full(KEYS[2], now - minute_s, per_minute, minute_s) or spent(KEYS[4])
if wait then return {0, tostring(wait), 'minute'} end
if redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf') >= concurrent then
  return {0, '0', 'concurrent'}
end
return {1}
"""


class OverBudget(RateLimited):
    """Our own budget says "not before T": no call was made. A RateLimited, so callers that
    already wait out Xero's 429s wait this out the same way."""

    def __init__(self, wait: NotBefore) -> None:
        super().__init__(f"Waiting for Xero's rate limit ({wait.reason}).",
                         retry_after=wait.seconds, problem=wait.reason)
        self.not_before = wait


@dataclass(frozen=True)
class NotBefore:
    """The call may not start for ``seconds`` (``reason``: minute, day, concurrent, or app:
    the app-wide minute shared by every organisation)."""

    seconds: float
    reason: str
    at: datetime

    @classmethod
    def after(cls, seconds: float, reason: str) -> NotBefore:
        seconds = max(seconds, 0.0)
        return cls(seconds, reason, datetime.now(timezone.utc) + timedelta(seconds=seconds))


@dataclass(frozen=True)
class Slot:
    """One granted call; give it back with ``Budget.release``. ``granted_at``: Redis's clock
    (epoch seconds) when the organisation counted it; ``app_counted_at``: when the app-wide
    minute did, a moment before."""

    tenant_id: str
    token: str
    granted_at: float
    app_counted_at: float = 0.0


class Budget:
    """The call budget of every organisation of one Xero app (``app_id``: its client id),
    on one Redis. Limits are parameters so that tests can shrink the windows; production
    uses Xero's."""

    def __init__(self, connection: redis.Redis, *, concurrent: int = CONCURRENT,
                 per_minute: int = PER_MINUTE, minute_seconds: float = MINUTE + WINDOW_MARGIN,
                 day_seconds: float = DAY + WINDOW_MARGIN, lease_seconds: float = LEASE_SECONDS,
                 max_slot_wait: float = MAX_SLOT_WAIT, minute_trust: float = MINUTE_TRUST,
                 day_trust: float = DAY_TRUST, app_id: str = "app",
                 app_per_minute: int = APP_PER_MINUTE, fair_recheck: float | None = None) -> None:
        self.redis = connection
        self.concurrent, self.per_minute = concurrent, per_minute
        self.minute_seconds, self.day_seconds = minute_seconds, day_seconds
        self.minute_trust, self.day_trust = minute_trust, day_trust
        self.lease_seconds, self.max_slot_wait = lease_seconds, max_slot_wait
        self.app_id, self.app_per_minute = app_id, app_per_minute
        # Calls left in the app's minute at which sharing starts, and those bulk work leaves.
        self.app_slack = app_per_minute - int(app_per_minute * FAIR_FROM)
        self.bulk_reserve = min(max(int(app_per_minute * BULK_RESERVE), 1), app_per_minute - 1)
        self.fair_recheck = minute_seconds * FAIR_RECHECK if fair_recheck is None else fair_recheck
        self._acquire = connection.register_script(ACQUIRE)
        self._heard = connection.register_script(HEARD)
        self._acquire_app = connection.register_script(APP_ACQUIRE)
        self._refund_app = connection.register_script(APP_REFUND)
        self._heard_app = connection.register_script(APP_HEARD)
        self._peek = connection.register_script(PEEK)

    @classmethod
    def scaled(cls, connection: redis.Redis, time_scale: float = 1.0, **options: Any) -> Budget:
        """Xero's limits on a clock ``time_scale`` times faster (a sandbox started with
        ``--time-scale``, for benchmarks): every window and trust period shrinks with it."""
        return cls(connection, minute_seconds=(MINUTE + WINDOW_MARGIN) / time_scale,
                   day_seconds=(DAY + WINDOW_MARGIN) / time_scale,
                   minute_trust=MINUTE_TRUST / time_scale, day_trust=DAY_TRUST / time_scale,
                   **options)

    # -- taking and giving back -----------------------------------------------------------
    def try_acquire(self, tenant_id: str, daily_limit: int = DEFAULT_DAILY, *,
                    bulk: bool = False) -> Slot | NotBefore:
        """One attempt: a Slot, or when to ask again. The app-wide minute is checked and
        counted first (atomically: its fair share, and for ``bulk`` work its reserve), then
        the organisation's limits (atomically); a call the organisation refuses is taken back
        off the app's counts."""
        token = uuid.uuid4().hex
        app_keys = self._app_keys(tenant_id)
        app = self._acquire_app(keys=app_keys, args=[token, tenant_id, *self._app_rule(bulk)])
        if int(app[0]) != 1:
            return NotBefore.after(float(app[1]), _text(app[2]))
        answer = self._acquire(keys=self._keys(tenant_id), args=[
            token, self.concurrent, self.per_minute, daily_limit, self.minute_seconds,
            self.day_seconds, self.lease_seconds])
        if int(answer[0]) == 1:
            return Slot(tenant_id, token, float(answer[1]), float(app[1]))
        self._refund_app(keys=app_keys, args=[token, tenant_id])
        return NotBefore.after(float(answer[1]), _text(answer[2]))

    def opens_in(self, tenant_id: str, daily_limit: int = DEFAULT_DAILY, *,
                 bulk: bool = False) -> NotBefore | None:
        """Could a call of the organisation start now? None if so, else when to ask again.
        Counts and takes nothing: a bulk lane asks before it claims a batch, so work the
        budget cannot take yet (its organisation over its fair share of the app's minute
        included) is never claimed, written back and rescheduled."""
        answer = self._peek(keys=self._keys(tenant_id) + self._app_keys(tenant_id), args=[
            self.concurrent, self.per_minute, daily_limit, self.minute_seconds,
            self.day_seconds, *self._app_rule(bulk)])
        if int(answer[0]) == 1:
            return None
        return NotBefore.after(float(answer[1]), _text(answer[2]))

    def acquire(self, tenant_id: str, daily_limit: int = DEFAULT_DAILY, *,
                bulk: bool = False) -> Slot | NotBefore:
        """A Slot, waiting briefly if only concurrency stands in the way; else NotBefore."""
        deadline = time.monotonic() + self.max_slot_wait
        while True:
            answer = self.try_acquire(tenant_id, daily_limit, bulk=bulk)
            if isinstance(answer, Slot) or answer.reason != "concurrent":
                return answer
            if time.monotonic() >= deadline:
                # Still 5 calls in flight: ask again in a second rather than hold a worker.
                return NotBefore.after(1.0, "concurrent")
            time.sleep(SLOT_POLL)

    def release(self, slot: Slot) -> None:
        self.redis.zrem(self._key(slot.tenant_id, "inflight"), slot.token)

    @contextmanager
    def slot(self, tenant_id: str, daily_limit: int = DEFAULT_DAILY) -> Iterator[Slot]:
        """``with budget.slot(tenant):`` one call; raises OverBudget instead of waiting long.
        The slot is given back however the call ends."""
        answer = self.acquire(tenant_id, daily_limit)
        if isinstance(answer, NotBefore):
            raise OverBudget(answer)
        try:
            yield answer
        finally:
            try:
                self.release(answer)
            except RedisError:  # its lease expires it
                log.warning("could not release a Xero call slot of %s", tenant_id)

    # -- what Xero tells us ---------------------------------------------------------------
    def heard(self, tenant_id: str, headers: Mapping[str, str], daily_limit: int = DEFAULT_DAILY) -> None:
        """Believe Xero's X-MinLimit-Remaining / X-DayLimit-Remaining (and the app-wide
        X-AppMinLimit-Remaining) when lower than ours."""
        self.heard_app(headers)
        minute, day = _count(headers.get("X-MinLimit-Remaining")), _count(headers.get("X-DayLimit-Remaining"))
        if minute is None and day is None:
            return
        self._heard(keys=self._keys(tenant_id)[1:], args=[
            "" if minute is None else minute, "" if day is None else day, self.per_minute,
            daily_limit, self.minute_seconds, self.day_seconds, self.minute_trust, self.day_trust])

    def heard_app(self, headers: Mapping[str, str]) -> None:
        """Believe Xero's X-AppMinLimit-Remaining when lower than our app-wide count says.
        Every response carries it, including those of ``/connections``, which have no
        organisation."""
        left = _count(headers.get("X-AppMinLimit-Remaining"))
        if left is None:
            return
        self._heard_app(keys=self._app_keys()[:2], args=[left, self.app_per_minute,
                                                      self.minute_seconds, self.minute_trust])

    def minute_left(self, tenant_id: str) -> int:
        """Calls the organisation may still make in the current minute, by our count or by
        Xero's lower figure: what background reads look at to leave the last calls of a
        minute to pushes (the budget itself has no priorities)."""
        seconds, micros = self.redis.time()
        now = seconds + micros / 1_000_000
        used = int(self.redis.zcount(self._key(tenant_id, "minute"), now - self.minute_seconds, "+inf"))
        left = self.per_minute - used
        ceiling = _count(_text(raw) if (raw := self.redis.get(self._key(tenant_id, "minute_left")))
                         is not None else None)
        return max(min(left, ceiling) if ceiling is not None else left, 0)

    def in_flight(self, tenant_id: str) -> int:
        return int(self.redis.zcard(self._key(tenant_id, "inflight")))

    # -- keys -----------------------------------------------------------------------------
    def _key(self, tenant_id: str, name: str) -> str:
        # The {tenant} hash tag keeps one organisation's keys together on a Redis Cluster,
        # which a multi-key script requires.
        return f"{PREFIX}:{{{tenant_id}}}:{name}"

    def _keys(self, tenant_id: str) -> list[str]:
        return [self._key(tenant_id, name)
                for name in ("inflight", "minute", "day", "minute_left", "day_left")]

    def _app_keys(self, tenant_id: str = "") -> list[str]:
        """The app-wide minute log and ceiling, the organisations active in it and this
        organisation's calls in it: together in the app's own hash slot."""
        return [f"{PREFIX}:{{app:{self.app_id}}}:{name}"
                for name in ("minute", "minute_left", "active", f"org:{tenant_id}")]

    def _app_rule(self, bulk: bool) -> list[float | int]:
        """APP_ACQUIRE's and PEEK's arguments for the app-wide rule."""
        return [self.app_per_minute, self.minute_seconds, self.app_slack,
                self.bulk_reserve if bulk else 0, self.fair_recheck]


def _count(value: str | None) -> int | None:
    try:
        return max(int(value), 0) if value is not None else None
    except ValueError:
        return None


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
