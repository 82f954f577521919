"""TOTP (RFC 6238, authenticator apps) with pyotp: 6 digits, 30 s steps,
one step of clock drift either way, each code accepted once."""
from __future__ import annotations

import hmac
import time
from typing import Optional

import pyotp
import segno

import ckan.plugins.toolkit as tk

from ckanext.jena.twofactor import store

DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user_name: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user_name, issuer_name=tk.config.get("ckan.site_title"))


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (drawn here: the secret
    never leaves the portal for a QR service)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2)


def matching_step(secret: str, code: str, now: Optional[float] = None) -> Optional[int]:
    """The time step the code belongs to (within the drift), else None."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    step = totp.timecode(now)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def verify(user_id: str, code: str) -> bool:
    """The code is the account's current one and was not used before."""
    found = store.totp_secret(user_id)
    if not found:
        return False
    step = matching_step(found[0], code)
    return step is not None and store.use_totp_counter(user_id, step)
