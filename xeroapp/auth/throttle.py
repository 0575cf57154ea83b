"""Throttling of log-ins and sign-ups, counted in Redis so that every web process shares it.

Three counters, each of one subject's attempts within a fixed window (limits in config.py):

- log-in by account (the normalised email): an attacker guessing one account's password from
  many addresses. Unknown addresses are counted and locked exactly like real ones, so the
  throttle says nothing about which accounts exist.
- log-in by client address, with a larger limit (an office shares one address): one address
  trying many accounts.
- sign-up by client address: accounts created (or refused) in bulk.

An attempt is counted *before* the password is checked, in one atomic step with the lockout
check: parallel requests cannot slip extra guesses in between a check and its count. A
successful log-in then forgets the account's count and gives the address its attempt back,
so only failures add up. Past its limit a subject is locked out, each lockout twice the one
before (remembered for a day) up to a maximum; while locked out nothing is checked, and the
right password is refused like a wrong one. Durations are Redis key lifetimes, on Redis's
own clock, so processes on different machines agree.

If Redis cannot be reached the attempt is let through, and logged: the queue's Redis must
not take log-in down with it (a web request that never enqueues never needs Redis), and the
password, not the throttle, is what keeps an account closed.
"""
from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import redis
from flask import current_app
from redis.exceptions import RedisError

from xeroapp.models.workspace import normalise_email
from xeroapp.queue import RedisNotConfigured, get_redis

log = logging.getLogger(__name__)

PREFIX = "auth:throttle"
LOGIN_ACCOUNT, LOGIN_ADDRESS, SIGNUP_ADDRESS = "login-account", "login-address", "signup-address"
# How long past lockouts count towards doubling the next one.
STRIKE_MEMORY = 86_400.0

# KEYS: count, lock, strikes (one subject's)
# ARGV: limit, window_ms, lockout_ms, max_lockout_ms, strike_memory_ms
# Returns 0 (go: the attempt is counted) or the milliseconds left of the subject's lockout.
HIT = """
local locked = redis.call('PTTL', KEYS[2])
if locked > 0 then return locked end
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if count <= tonumber(ARGV[1]) then return 0 end
local strikes = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
local lockout = math.floor(math.min(tonumber(ARGV[3]) * 2 ^ (strikes - 1), tonumber(ARGV[4])))
redis.call('SET', KEYS[2], strikes, 'PX', lockout)
redis.call('DEL', KEYS[1])
return lockout
"""

# Un-count one attempt (a success, or an attempt refused before anything was checked).
# KEYS: count
REFUND = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 1
"""


@dataclass(frozen=True)
class Policy:
    """``limit`` attempts per ``window`` seconds; then a lockout of ``lockout`` seconds,
    doubling with each further lockout up to ``max_lockout``."""

    name: str
    limit: int
    window: float
    lockout: float
    max_lockout: float


class Throttle:
    """One policy's counters on one Redis."""

    def __init__(self, connection: redis.Redis, policy: Policy) -> None:
        self.redis = connection
        self.policy = policy
        self._hit = connection.register_script(HIT)
        self._refund = connection.register_script(REFUND)

    def hit(self, subject: str) -> float:
        """Count an attempt of ``subject``: 0.0 to go ahead, else the seconds it must wait
        (the attempt was refused and not counted)."""
        policy = self.policy
        waited = self._hit(keys=self._keys(subject), args=[
            policy.limit, _ms(policy.window), _ms(policy.lockout), _ms(policy.max_lockout),
            _ms(STRIKE_MEMORY)])
        return int(waited) / 1000

    def refund(self, subject: str) -> None:
        self._refund(keys=self._keys(subject)[:1])

    def forget(self, subject: str) -> None:
        """Forget ``subject``'s attempts and past lockouts (not a lockout under way)."""
        count, _lock, strikes = self._keys(subject)
        self.redis.delete(count, strikes)

    def _keys(self, subject: str) -> list[str]:
        # Hashed: keeps email addresses out of Redis and key lengths bounded. The {hash tag}
        # keeps one subject's keys in one slot, which a script needs on a Redis Cluster.
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        base = f"{PREFIX}:{self.policy.name}:{{{digest}}}"
        return [f"{base}:count", f"{base}:lock", f"{base}:strikes"]


def forget_everyone(connection: redis.Redis) -> int:
    """Lift every count and lockout (between tests of a suite that shares one web app)."""
    keys = list(connection.scan_iter(f"{PREFIX}:*"))
    return int(connection.delete(*keys)) if keys else 0


# -- what the views ask ---------------------------------------------------------------------
def login_attempt(email: str, address: str | None) -> int:
    """Before checking a password: 0 to go ahead (the attempt is counted), else the whole
    seconds to wait."""

    def attempt() -> float:
        by_address = throttle(LOGIN_ADDRESS)
        wait = by_address.hit(client_network(address))
        if wait:
            return wait
        wait = throttle(LOGIN_ACCOUNT).hit(normalise_email(email))
        if wait:
            by_address.refund(client_network(address))  # no password was tried
        return wait

    return _whole_seconds(_unless_redis_fails(attempt, 0.0))


def login_succeeded(email: str, address: str | None) -> None:
    """The account starts afresh; the address gets its attempt back. The address's other
    failures stand: logging in to one's own account must not wipe the guesses made at others."""

    def forget() -> None:
        throttle(LOGIN_ACCOUNT).forget(normalise_email(email))
        throttle(LOGIN_ADDRESS).refund(client_network(address))

    _unless_redis_fails(forget, None)


def signup_attempt(address: str | None) -> int:
    """Before creating an account: 0 to go ahead (the attempt is counted), else the whole
    seconds to wait."""
    return _whole_seconds(_unless_redis_fails(
        lambda: throttle(SIGNUP_ADDRESS).hit(client_network(address)), 0.0))


def wait_message(seconds: int) -> str:
    if seconds < 120:
        return f"Too many attempts. Try again in {seconds} second{'' if seconds == 1 else 's'}."
    return f"Too many attempts. Try again in {math.ceil(seconds / 60)} minutes."


def throttle(name: str) -> Throttle:
    return Throttle(get_redis(), policy(name))


def policy(name: str) -> Policy:
    config = current_app.config
    limit, window, lockout = {
        LOGIN_ACCOUNT: ("LOGIN_ACCOUNT_LIMIT", "LOGIN_WINDOW", "LOGIN_LOCKOUT"),
        LOGIN_ADDRESS: ("LOGIN_IP_LIMIT", "LOGIN_WINDOW", "LOGIN_LOCKOUT"),
        SIGNUP_ADDRESS: ("SIGNUP_IP_LIMIT", "SIGNUP_WINDOW", "SIGNUP_LOCKOUT"),
    }[name]
    return Policy(name, int(config[limit]), float(config[window]), float(config[lockout]),
                  float(config["THROTTLE_MAX_LOCKOUT"]))


def client_network(address: str | None) -> str:
    """Who is counted for a client address. An IPv6 client usually holds a whole /64 and could
    walk through it, so it is counted by its /64; an IPv4-mapped address by its IPv4 one."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


T = TypeVar("T")


def _unless_redis_fails(step: Callable[[], T], fallback: T) -> T:
    try:
        return step()
    except (RedisError, RedisNotConfigured) as exc:
        log.error("log-in and sign-up throttling skipped, Redis is unavailable: %s", exc)
        return fallback


def _whole_seconds(seconds: float) -> int:
    return math.ceil(seconds) if seconds > 0 else 0


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
