"""Links sealed into an outbox row: the body holds placeholders, the values sit in `sealed` encrypted.

A link that opens a booking, an account or a waitlist place never lies in the outbox in clear: the
message is rendered with `[[sealed:<name>]]` where each link goes, and the links themselves are
encrypted with AES-GCM under `keys.derive("outbox-links")`, a key derived from SECRET_KEY and so not in
the database. The worker opens them only for the copy it hands to the mail or SMS backend; once a
message is sent, cancelled or given up, its row is blanked (see `services.blank`).
"""

import base64
import json
import os
from collections.abc import Mapping

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from markupsafe import escape

from mentoring import keys

PURPOSE = "outbox-links"
_AAD = b"mentoring:outbox-sealed:v1"


def placeholder(name: str) -> str:
    return f"[[sealed:{name}]]"


def seal(values: Mapping[str, str]) -> str:
    """`values` as one ciphertext (base64 of nonce and AES-GCM output) under the current key."""
    nonce = os.urandom(12)
    data = json.dumps(dict(values), sort_keys=True).encode()
    return base64.urlsafe_b64encode(nonce + AESGCM(keys.derive(PURPOSE)).encrypt(nonce, data, _AAD)).decode()


class Unreadable(Exception):
    """No key in use opens this ciphertext (the key it was sealed with was dropped)."""


def unseal(sealed: str) -> dict[str, str]:
    """The values `seal` sealed; tries the current key, then every fallback (key rotation)."""
    raw = base64.urlsafe_b64decode(sealed.encode())
    nonce, ciphertext = raw[:12], raw[12:]
    for key in keys.candidates(PURPOSE):
        try:
            return dict(json.loads(AESGCM(key).decrypt(nonce, ciphertext, _AAD)))
        except InvalidTag:
            continue
    raise Unreadable


def fill(text: str, values: Mapping[str, str], html: bool = False) -> str:
    """Put each sealed value where its placeholder is (HTML-escaped in an HTML body)."""
    for name, value in values.items():
        text = text.replace(placeholder(name), str(escape(value)) if html else value)
    return text
