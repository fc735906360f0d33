"""One secret, a key for each purpose: HKDF-SHA256 (RFC 5869) derives them all from SECRET_KEY.

A key that signs sessions never also salts pseudonyms or seals the outbox: each purpose names its own
key (`derive("outbox")`), so one leaked derived key opens nothing else.

Rotation: put the old key into SECRET_KEY_FALLBACKS (comma-separated, newest first) and a new one into
SECRET_KEY. New values are made with the new key only; what the old key made still verifies
(`verify`, `candidates`) until the old key is dropped from the list. Flask does the same for the session
cookie with the same setting.
"""

import hashlib
import hmac
import math
from collections import Counter
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# Documented demo and test values, refused wherever a real key is needed.
INSECURE_SECRET_KEYS = frozenset({"", "dev", "change-me", "development-only-secret", "testing"})
MIN_ENTROPY_BITS = 128


def key_problem(secret: str) -> str | None:
    """Why `secret` is no key (a known value, too short, too few distinct characters), or None.

    The estimate is the string's Shannon entropy times its length, so "x" * 64 or a word padded with one
    repeated character fails however long it is; 32 random bytes in hex (`secrets.token_hex(32)`) give
    about 256 bits."""
    if secret in INSECURE_SECRET_KEYS:
        return "SECRET_KEY is a published example value."
    if len(secret) < 32:
        return "SECRET_KEY must be at least 32 characters long."
    counts = Counter(secret)
    per_char = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    if per_char * len(secret) < MIN_ENTROPY_BITS:
        return (
            "SECRET_KEY is not random enough; make one with: "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return None


@lru_cache(maxsize=256)
def derive_from(secret: str, purpose: str) -> bytes:
    """The 32-byte key for `purpose` under `secret` (HKDF-SHA256, no salt, the purpose as info)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"mentoring:" + purpose.encode())
    return hkdf.derive(secret.encode())


def secrets_in_use() -> list[str]:
    """SECRET_KEY first, then SECRET_KEY_FALLBACKS (old keys that still verify)."""
    fallbacks = current_app.config.get("SECRET_KEY_FALLBACKS") or []
    return [current_app.config["SECRET_KEY"], *fallbacks]


def derive(purpose: str) -> bytes:
    """The current key for `purpose`: make new signatures, pseudonyms and ciphertexts with it."""
    return derive_from(current_app.config["SECRET_KEY"], purpose)


def candidates(purpose: str) -> list[bytes]:
    """The keys for `purpose` that still verify: the current one first, then each fallback's."""
    return [derive_from(secret, purpose) for secret in secrets_in_use()]


def sign(purpose: str, message: str | bytes) -> str:
    """HMAC-SHA256 of `message` under the current key for `purpose`, in hex."""
    data = message.encode() if isinstance(message, str) else message
    return hmac.new(derive(purpose), data, hashlib.sha256).hexdigest()


def verify(purpose: str, message: str | bytes, signature: str) -> bool:
    """Whether `signature` is `sign(purpose, message)` under the current key or a fallback's."""
    data = message.encode() if isinstance(message, str) else message
    return any(
        hmac.compare_digest(hmac.new(key, data, hashlib.sha256).hexdigest(), signature)
        for key in candidates(purpose)
    )
