"""The two-step login on CKAN's login view (IAuthenticator.login): the
password first (CKAN's authenticators, attempts limited), then, for an
account with a second factor, the challenge page; only then the user is
logged in (flask-login, as CKAN's own view does). identify() keeps every
session honest: an account with a factor gets no session without it, and
an account the configuration obliges is sent to set one up. Requests
with an API token are left alone: a token is its own credential."""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any, Optional

from flask import jsonify, make_response

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.common import g, request, session
from ckan.lib import authenticator
from ckan.views.user import next_page_or_default, regenerate_session, rotate_token

from ckanext.jena.twofactor import policy, ratelimit, store

log = logging.getLogger(__name__)

PENDING = "jena_2fa_pending"   # password passed, second factor awaited: {user, until, remember, next}
DONE = "jena_2fa_done"         # the user id whose second factor this session has seen
PENDING_SECONDS = 300
# Reachable before the second factor is set up or given.
OPEN_ENDPOINTS = {"user.logout", "user.logged_out_page", "user.login", "static", "webassets.index",
                  "api.i18n_js_translations"}
CHALLENGE_ENDPOINTS = {"jena_2fa.challenge", "jena_2fa.passkey_login_options", "jena_2fa.passkey_login"}


def too_many(wait: int) -> Any:
    minutes = max(1, -(-wait // 60))
    tk.h.flash_error(tk._("Too many failed login attempts. Please try again in {minutes} minutes.")
                     .format(minutes=minutes))
    return make_response(tk.render("user/login.html", {}), 429)


def password_step() -> Optional[Any]:
    """IAuthenticator.login: the POST of CKAN's login form; None lets CKAN
    show its form (GET, or someone already logged in)."""
    if request.method != "POST" or tk.current_user.is_authenticated:
        return None
    login = request.form.get("login") or ""
    counters = password_counters(_account_key(login))
    wait = ratelimit.attempt(*counters)
    if wait:
        return too_many(wait)
    user = authenticator.ckan_authenticator({"login": login, "password": request.form.get("password")})
    if not user:
        if tk.config.get("ckan.recaptcha.privatekey"):
            tk.h.flash_error(tk._("Login failed. Bad username or password or CAPTCHA."))
        else:
            tk.h.flash_error(tk._("Login failed. Bad username or password."))
        return tk.render("user/login.html", {})
    ratelimit.succeeded(*counters)
    next_page = request.args.get("next", request.args.get("came_from"))
    if store.enrolled(user.id):
        session[PENDING] = {"user": user.id, "until": time.time() + PENDING_SECONDS,
                            "remember": request.form.get("remember"), "next": next_page}
        return tk.redirect_to("jena_2fa.challenge")
    return finish(user, request.form.get("remember"), next_page, second_factor=False)


def password_counters(account_key: str) -> tuple[ratelimit.Counter, ratelimit.Counter]:
    """A password attempt counts against the client's address and the
    account (request.remote_addr: behind a reverse proxy, the one werkzeug's
    ProxyFix took from the trusted proxies' X-Forwarded-For, see
    ckanext.jena.login.trusted_proxies; never the header as sent)."""
    return ratelimit.address(request.remote_addr or ""), ratelimit.account("password", account_key)


def _account_key(login: str) -> str:
    """What attempts are counted against: the account, as CKAN's
    authenticator finds it (by name, else by e-mail), so its name and its
    address are not two limits; an unknown name counts as typed."""
    account = model.User.by_name(login) or model.User.by_email(login)
    return f"account:{account.id}" if account is not None else login


def pending_user() -> Optional[model.User]:
    pending = session.get(PENDING)
    if not pending or pending.get("until", 0) < time.time():
        session.pop(PENDING, None)
        return None
    user = model.User.get(pending["user"])
    return user if user is not None and user.is_active else None


def finish(user: model.User, remember: Optional[str], next_page: Optional[str], second_factor: bool) -> Any:
    """Log the user in as CKAN's login view does."""
    session.pop(PENDING, None)
    regenerate_session()
    if remember:
        tk.login_user(user, remember=True, duration=timedelta(milliseconds=int(remember)))
    else:
        tk.login_user(user)
    rotate_token()
    session[DONE] = user.id if second_factor else None
    if not second_factor and policy.required(user):
        tk.h.flash_notice(tk._("Your account must be protected with a second factor. Please set one up now."))
        return tk.redirect_to("jena_2fa.settings", id=user.name)
    return next_page_or_default(next_page)


def finish_pending(user: model.User) -> Any:
    pending = session.get(PENDING) or {}
    ratelimit.succeeded(ratelimit.account("factor", user.id))
    log.info("2FA: second factor accepted for user %s", user.id)
    return finish(user, pending.get("remember"), pending.get("next"), second_factor=True)


def enforce() -> Optional[Any]:
    """IAuthenticator.identify, on every request."""
    endpoint = request.endpoint or ""
    if endpoint in OPEN_ENDPOINTS or endpoint in CHALLENGE_ENDPOINTS:
        return None
    try:
        user = tk.current_user
        if not user.is_authenticated:
            return None
    except AttributeError:
        return None
    if g.get("login_via_auth_header") or session.get(DONE) == user.id:
        return None
    if store.enrolled(user.id):
        # A session that skipped the second factor (a registration, a
        # remember-me cookie after the session expired): ask for it now.
        tk.logout_user()
        session[PENDING] = {"user": user.id, "until": time.time() + PENDING_SECONDS, "remember": None,
                            "next": request.full_path if request.method == "GET" else None}
        return tk.redirect_to("jena_2fa.challenge")
    if not endpoint.startswith("jena_2fa.") and policy.required(user):
        message = tk._("Your account must be protected with a second factor. Please set one up now.")
        if request.path.startswith("/api/"):
            return make_response(jsonify({"success": False, "error": {"__type": "Authorization Error",
                                                                      "message": message}}), 403)
        tk.h.flash_notice(message)
        return tk.redirect_to("jena_2fa.settings", id=user.name)
    return None
