"""jena_2fa: two-factor login with TOTP and passkeys (WebAuthn), recovery
codes, limited login attempts, required by role (ckanext.jena.2fa.*)."""
from __future__ import annotations

from werkzeug.middleware.proxy_fix import ProxyFix

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.jena.declarations import declare_options
from ckanext.jena.twofactor import login, policy
from ckanext.jena.twofactor.views import twofactor


class TwoFactorPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IConfigDeclaration)
    p.implements(p.IAuthenticator, inherit=True)
    p.implements(p.IBlueprint)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IMiddleware, inherit=True)

    # IConfigurer
    def update_config(self, config):
        tk.add_template_directory(config, "../twofactor/templates")
        tk.add_resource("../assets/twofactor", "jena_2fa")

    # IConfigurable
    def configure(self, config):
        policy.check_config()

    # IConfigDeclaration (config_declaration.yaml)
    def declare_config_options(self, declaration, key):
        declare_options(declaration, "2fa")
        declare_options(declaration, "login")

    # IAuthenticator: CKAN's login view hands its POST to us; every request
    # passes identify (a response from it ends the request).
    def login(self):
        return login.password_step()

    def identify(self):
        return login.enforce()

    # IMiddleware: the client address the per-address login limit counts
    # comes from werkzeug's ProxyFix for the configured number of proxies
    # only; X-Forwarded-For is not believed otherwise.
    def make_middleware(self, app, config):
        proxies = tk.asint(config.get("ckanext.jena.login.trusted_proxies") or 0)
        if proxies <= 0:
            return app
        if hasattr(app, "wsgi_app"):   # the Flask app: inside it, before its request is made
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
            return app
        return ProxyFix(app, x_for=proxies)   # another plugin's middleware came first

    # IBlueprint
    def get_blueprint(self):
        return [twofactor]

    # ITemplateHelpers
    def get_helpers(self):
        return {"jena_2fa_can_manage": _can_manage}


def _can_manage(user_dict) -> bool:
    me = tk.current_user
    return bool(me.is_authenticated and (me.id == user_dict.get("id") or me.sysadmin))

