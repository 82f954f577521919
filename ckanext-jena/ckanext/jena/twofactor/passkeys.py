"""Passkeys and FIDO2 security keys (WebAuthn) with the `webauthn` library
(py_webauthn): options for the browser, verification of its answers. The
relying party is the portal's ckan.site_url (its host is the RP ID), so a
passkey made for the portal works only there. Each challenge lives in
Redis for the ceremony's length and is taken once."""
from __future__ import annotations

import json
import secrets
from typing import Any, Optional
from urllib.parse import urlsplit

import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor,
                                      ResidentKeyRequirement, UserVerificationRequirement)

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.jena.twofactor import store

TIMEOUT_MS = 120_000


class PasskeyError(Exception):
    """The browser's answer does not prove the passkey (reason for the log, never secret)."""


def relying_party() -> tuple[str, str]:
    """(RP ID, origin) from ckan.site_url."""
    url = urlsplit(tk.config.get("ckan.site_url"))
    return url.hostname, f"{url.scheme}://{url.netloc}"


def _challenge_key(purpose: str, user_id: str) -> str:
    return f"{tk.config.get('ckan.site_id')}:jena_2fa:challenge:{purpose}:{user_id}"


def _keep_challenge(purpose: str, user_id: str, challenge: bytes) -> None:
    connect_to_redis().set(_challenge_key(purpose, user_id), challenge, ex=TIMEOUT_MS // 1000 + 30)


def _take_challenge(purpose: str, user_id: str) -> bytes:
    found = connect_to_redis().getdel(_challenge_key(purpose, user_id))
    if not found:
        raise PasskeyError("no open challenge (expired or used)")
    return found


def _descriptors(user_id: str) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(p["credential_id"]))
            for p in store.passkeys(user_id)]


def registration_options(user: model.User) -> dict[str, Any]:
    rp_id, _ = relying_party()
    challenge = secrets.token_bytes(32)
    options = webauthn.generate_registration_options(
        rp_id=rp_id, rp_name=tk.config.get("ckan.site_title"), user_id=user.id.encode(),
        user_name=user.name, user_display_name=user.display_name, challenge=challenge,
        timeout=TIMEOUT_MS, exclude_credentials=_descriptors(user.id),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED))
    _keep_challenge("register", user.id, challenge)
    return json.loads(webauthn.options_to_json(options))


def register(user: model.User, credential: Any, name: str) -> str:
    """Verify the new credential and keep it; returns its id."""
    rp_id, origin = relying_party()
    challenge = _take_challenge("register", user.id)
    try:
        verified = webauthn.verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin)
    except WebAuthnException as e:
        raise PasskeyError(str(e)) from e
    credential_id = bytes_to_base64url(verified.credential_id)
    store.add_passkey(user.id, credential_id, name, verified.credential_public_key, verified.sign_count)
    return credential_id


def authentication_options(user_id: str) -> dict[str, Any]:
    rp_id, _ = relying_party()
    challenge = secrets.token_bytes(32)
    options = webauthn.generate_authentication_options(
        rp_id=rp_id, challenge=challenge, timeout=TIMEOUT_MS, allow_credentials=_descriptors(user_id),
        user_verification=UserVerificationRequirement.PREFERRED)
    _keep_challenge("login", user_id, challenge)
    return json.loads(webauthn.options_to_json(options))


def authenticate(user_id: str, credential: Any) -> Optional[str]:
    """The id of the user's passkey that signed the challenge; PasskeyError otherwise."""
    rp_id, origin = relying_party()
    challenge = _take_challenge("login", user_id)
    data = json.loads(credential) if isinstance(credential, str) else credential
    known = {p["credential_id"]: p for p in store.passkeys(user_id)}
    passkey = known.get((data or {}).get("id") or "")
    if passkey is None:
        raise PasskeyError("a credential this account does not have")
    try:
        verified = webauthn.verify_authentication_response(
            credential=data, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=bytes(passkey["public_key"]),
            credential_current_sign_count=passkey["sign_count"])
    except WebAuthnException as e:
        raise PasskeyError(str(e)) from e
    store.passkey_used(passkey["credential_id"], verified.new_sign_count)
    return passkey["credential_id"]
