"""Two-factor login (plugin jena_2fa): TOTP, passkeys (WebAuthn) and
recovery codes as second factors after the password, enforced by role
(ckanext.jena.2fa.required_for), with login attempts limited in Redis.
API tokens are not affected: they are a credential of their own."""
