"""The owner's password: argon2id hashes (argon2-cffi), checked in constant time, rehashed
when the parameters change. Nothing else about logins lives here: sessions and tokens are
random secrets whose SHA-256 the store keeps (tools/store/access.py)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from tools.store import Store

MIN_LENGTH = 10  # CONTRACT §6
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not the password of anyone")


class PasswordError(ValueError):
    """A password that cannot be used; str() is one line for the user."""


def set_password(store: Store, password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"the password needs at least {MIN_LENGTH} characters")
    store.access.set_password_hash(_hasher.hash(password))


def has_password(store: Store) -> bool:
    return store.access.password_hash() is not None


def check_password(store: Store, password: str) -> bool:
    stored = store.access.password_hash()
    try:
        _hasher.verify(stored or _DUMMY, password)  # same work when none is set
    except (VerificationError, InvalidHashError):
        return False
    if stored is None:
        return False
    if _hasher.check_needs_rehash(stored):
        store.access.set_password_hash(_hasher.hash(password))
    return True
