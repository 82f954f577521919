"""The second step of the login (/user/login/2fa) and the settings on the
user's page (/user/NAME/2fa): set up and remove TOTP and passkeys, new
recovery codes."""
from __future__ import annotations

import json
import logging
from typing import Any, Optional

from flask import Blueprint, jsonify, make_response

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.common import request, session
from ckan.lib.redis import connect_to_redis
from ckan.views.user import _extra_template_variables

from ckanext.jena.twofactor import login, passkeys, policy, ratelimit, recovery, store, totp

log = logging.getLogger(__name__)

twofactor = Blueprint("jena_2fa", __name__)
PENDING_TOTP_SECONDS = 600


# The second step of the login

def _pending_or_login():
    user = login.pending_user()
    if user is None:
        tk.h.flash_error(tk._("Please log in again."))
    return user


def _factor_attempt(user: model.User) -> int:
    """Counts this attempt at the second step (before the check); the
    seconds to wait if there were too many."""
    return ratelimit.attempt(ratelimit.account("factor", user.id))


def challenge():
    user = _pending_or_login()
    if user is None:
        return tk.redirect_to("user.login")
    factors = store.factors(user.id)
    status = 200
    if request.method == "POST":
        wait = _factor_attempt(user)
        if wait:
            minutes = max(1, -(-wait // 60))
            tk.h.flash_error(tk._("Too many failed login attempts. Please try again in {minutes} minutes.")
                             .format(minutes=minutes))
            status = 429
        else:
            code = request.form.get("code") or ""
            recovery_code = request.form.get("recovery_code") or ""
            if (code and totp.verify(user.id, code)) or (recovery_code and recovery.use(user.id, recovery_code)):
                if recovery_code:
                    log.info("2FA: recovery code used for user %s", user.id)
                model.Session.commit()
                return login.finish_pending(user)
            model.Session.rollback()
            tk.h.flash_error(tk._("The code is wrong or has expired."))
            status = 400
    return make_response(tk.render("twofactor/challenge.html", {"factors": factors}), status)


def _json_body() -> dict[str, Any]:
    try:
        return json.loads(request.get_data(as_text=True) or "{}")
    except ValueError:
        return {}


def passkey_login_options():
    user = login.pending_user()
    if user is None:
        return make_response(jsonify({"error": tk._("Please log in again.")}), 401)
    return jsonify(passkeys.authentication_options(user.id))


def passkey_login():
    user = login.pending_user()
    if user is None:
        return make_response(jsonify({"error": tk._("Please log in again.")}), 401)
    wait = _factor_attempt(user)
    if wait:
        return make_response(jsonify({"error": tk._(
            "Too many failed login attempts. Please try again in {minutes} minutes.").format(
                minutes=max(1, -(-wait // 60)))}), 429)
    try:
        passkeys.authenticate(user.id, _json_body().get("credential"))
    except passkeys.PasskeyError as e:
        model.Session.rollback()
        log.info("2FA: passkey refused for user %s: %s", user.id, e)
        return make_response(jsonify({"error": tk._("The passkey could not be verified.")}), 400)
    model.Session.commit()
    response = login.finish_pending(user)
    return jsonify({"redirect": response.location})


# Settings on the user's page

def _account(id: str, set_up: bool = False) -> model.User:
    """The account whose factors are shown: one's own; a sysadmin may see
    and remove (not set up) another's, e.g. after a lost phone."""
    user = model.User.get(id)
    if user is None or user.state == "deleted":
        tk.abort(404, tk._("User not found"))
    me = tk.current_user
    if not me.is_authenticated:
        tk.abort(403, tk._("Not authorized to see this page"))
    if me.id != user.id and not (me.sysadmin and not set_up):
        tk.abort(403, tk._("Not authorized to see this page"))
    return user


def _settings_vars(user: model.User) -> dict[str, Any]:
    context = {"user": tk.current_user.name, "auth_user_obj": tk.current_user, "for_view": True}
    extra = _extra_template_variables(context, {"id": user.id, "user_obj": tk.current_user,
                                                "include_datasets": False, "include_num_followers": True})
    extra.update(factors=store.factors(user.id), passkeys=store.passkeys(user.id),
                 required=policy.required(user), account=user, own=user.id == tk.current_user.id)
    return extra


def settings(id: str):
    user = _account(id)
    return tk.render("twofactor/settings.html", _settings_vars(user))


def _pending_totp_key(user_id: str) -> str:
    return f"{tk.config.get('ckan.site_id')}:jena_2fa:pending_totp:{user_id}"


def totp_setup(id: str):
    """GET: a new secret with its QR code; POST: the first code from the
    app proves it is set up, then the secret is kept."""
    user = _account(id, set_up=True)
    redis = connect_to_redis()
    key = _pending_totp_key(user.id)
    secret = redis.get(key)
    secret = secret.decode() if secret else None
    status = 200
    if request.method == "POST" and secret:
        step = totp.matching_step(secret, request.form.get("code") or "")
        if step is not None:
            redis.delete(key)
            store.save_totp(user.id, secret, step)
            codes = recovery.regenerate(user.id) if not store.recovery_left(user.id) else None
            model.Session.commit()
            session[login.DONE] = user.id
            log.info("2FA: TOTP set up for user %s", user.id)
            tk.h.flash_success(tk._("The authenticator app is set up."))
            if codes:
                return tk.render("twofactor/recovery_codes.html", dict(_settings_vars(user), codes=codes))
            return tk.redirect_to("jena_2fa.settings", id=user.name)
        tk.h.flash_error(tk._("The code is wrong or has expired."))
        status = 400
    if not secret:
        secret = totp.new_secret()
        redis.set(key, secret, ex=PENDING_TOTP_SECONDS)
    uri = totp.provisioning_uri(secret, user.name)
    extra = dict(_settings_vars(user), secret=secret, qr_svg=totp.qr_svg(uri))
    response = make_response(tk.render("twofactor/totp.html", extra), status)
    response.headers["Cache-Control"] = "no-store"  # the secret is on this page
    return response


def _password_refused(user: model.User) -> Optional[Any]:
    """Removing a factor or replacing the recovery codes asks for the
    password of whoever does it (the account's owner, or the sysadmin):
    a session left open, or a stolen session cookie, cannot strip an
    account of its second factor. None if the form's password is right;
    else the settings page refusing (wrong guesses are counted as logins).
    The form is CSRF-protected as every POST form of CKAN's."""
    me = tk.current_user
    password = request.form.get("password") or ""
    status = 400
    if not password:
        tk.h.flash_error(tk._("Please confirm with your password."))
    else:
        counters = login.password_counters(f"account:{me.id}")
        wait = ratelimit.attempt(*counters)
        if wait:
            tk.h.flash_error(tk._("Too many failed login attempts. Please try again in {minutes} minutes.")
                             .format(minutes=max(1, -(-wait // 60))))
            status = 429
        elif me.validate_password(password):
            ratelimit.succeeded(*counters)
            return None
        else:
            tk.h.flash_error(tk._("The password is wrong. Nothing was changed."))
            status = 403
    log.info("2FA: change of user %s's factors refused (password not confirmed by %s)", user.id, me.id)
    return make_response(tk.render("twofactor/settings.html", _settings_vars(user)), status)


def _removed(user, factor: str, message: str) -> None:
    """After a factor was deleted: the recovery codes go with the last one."""
    _forget_recovery_if_no_factor(user)
    model.Session.commit()
    log.info("2FA: %s removed for user %s by %s", factor, user.id, tk.current_user.id)
    tk.h.flash_success(message)


def totp_delete(id: str):
    user = _account(id)
    refused = _password_refused(user)
    if refused is not None:
        return refused
    store.delete_totp(user.id)
    _removed(user, "TOTP", tk._("The authenticator app was removed."))
    return tk.redirect_to("jena_2fa.settings", id=user.name)


def passkey_options(id: str):
    user = _account(id, set_up=True)
    return jsonify(passkeys.registration_options(user))


def passkey_register(id: str):
    user = _account(id, set_up=True)
    body = _json_body()
    name = (body.get("name") or "").strip()[:100] or tk._("Passkey")
    try:
        passkeys.register(user, body.get("credential"), name)
    except passkeys.PasskeyError as e:
        model.Session.rollback()
        log.info("2FA: passkey registration refused for user %s: %s", user.id, e)
        return make_response(jsonify({"error": tk._("The passkey could not be verified.")}), 400)
    model.Session.commit()
    session[login.DONE] = user.id
    log.info("2FA: passkey added for user %s", user.id)
    tk.h.flash_success(tk._("The passkey was added."))
    return jsonify({"redirect": tk.url_for("jena_2fa.settings", id=user.name)})


def passkey_delete(id: str, credential_id: str):
    user = _account(id)
    refused = _password_refused(user)
    if refused is not None:
        return refused
    if store.delete_passkey(user.id, credential_id):
        _removed(user, "passkey", tk._("The passkey was removed."))
    return tk.redirect_to("jena_2fa.settings", id=user.name)


def recovery_codes(id: str):
    user = _account(id, set_up=True)
    if not store.enrolled(user.id):
        tk.h.flash_error(tk._("Set up an authenticator app or a passkey first."))
        return tk.redirect_to("jena_2fa.settings", id=user.name)
    refused = _password_refused(user)
    if refused is not None:
        return refused
    codes = recovery.regenerate(user.id)
    model.Session.commit()
    response = make_response(tk.render("twofactor/recovery_codes.html", dict(_settings_vars(user), codes=codes)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _forget_recovery_if_no_factor(user: model.User) -> None:
    # Recovery codes stand in for a factor; without any they would be one.
    if not store.enrolled(user.id):
        store.delete_recovery(user.id)


twofactor.add_url_rule("/user/login/2fa", view_func=challenge, methods=["GET", "POST"])
twofactor.add_url_rule("/user/login/2fa/passkey/options", view_func=passkey_login_options, methods=["POST"])
twofactor.add_url_rule("/user/login/2fa/passkey", view_func=passkey_login, methods=["POST"])
twofactor.add_url_rule("/user/<id>/2fa", view_func=settings)
twofactor.add_url_rule("/user/<id>/2fa/totp", view_func=totp_setup, methods=["GET", "POST"])
twofactor.add_url_rule("/user/<id>/2fa/totp/delete", view_func=totp_delete, methods=["POST"])
twofactor.add_url_rule("/user/<id>/2fa/passkey/options", view_func=passkey_options, methods=["POST"])
twofactor.add_url_rule("/user/<id>/2fa/passkey", view_func=passkey_register, methods=["POST"])
twofactor.add_url_rule("/user/<id>/2fa/passkey/<credential_id>/delete", view_func=passkey_delete,
                       methods=["POST"])
twofactor.add_url_rule("/user/<id>/2fa/recovery", view_func=recovery_codes, methods=["POST"])
