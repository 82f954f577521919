/* Passkeys (WebAuthn) for the second step of the login and for adding one
 * on the user's page. The server (py_webauthn) sends its options as JSON
 * with base64url for binary fields; the browser wants ArrayBuffers, and its
 * answer goes back as JSON the same way. */
(function () {
  "use strict";

  function toBuffer(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function ids(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: toBuffer(c.id) }); });
  }

  function asJSON(cred) {
    if (typeof cred.toJSON === "function") { return cred.toJSON(); }
    var r = cred.response, out = {
      id: cred.id, rawId: toBase64url(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toBase64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toBase64url(r.authenticatorData);
      out.response.signature = toBase64url(r.signature);
      if (r.userHandle) { out.response.userHandle = toBase64url(r.userHandle); }
    }
    return out;
  }

  function post(url, body) {
    // CKAN's CSRF token is in the page's meta tags (base.html).
    var field = document.querySelector('meta[name="csrf_field_name"]');
    var token = field && document.querySelector('meta[name="' + field.content + '"]');
    var headers = { "Content-Type": "application/json" };
    if (token) { headers["X-CSRFToken"] = token.content; }
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers,
                        body: JSON.stringify(body || {}) })
      .then(function (resp) {
        return resp.json().then(function (data) {
          if (!resp.ok) { throw new Error(data.error || resp.statusText); }
          return data;
        });
      });
  }

  function run(box, event) {
    if (event) { event.preventDefault(); }
    var status = box.querySelector(".jena-2fa-status");
    var register = box.getAttribute("data-jena-passkey") === "register";
    var nameField = box.querySelector("input[name=name]");
    status.textContent = "";
    post(box.getAttribute("data-options-url"))
      .then(function (o) {
        o.challenge = toBuffer(o.challenge);
        if (register) {
          o.user = Object.assign({}, o.user, { id: toBuffer(o.user.id) });
          o.excludeCredentials = ids(o.excludeCredentials);
          return navigator.credentials.create({ publicKey: o });
        }
        o.allowCredentials = ids(o.allowCredentials);
        return navigator.credentials.get({ publicKey: o });
      })
      .then(function (cred) {
        var body = { credential: asJSON(cred) };
        if (nameField) { body.name = nameField.value; }
        return post(box.getAttribute("data-submit-url"), body);
      })
      .then(function (data) { window.location.assign(data.redirect); })
      .catch(function (err) {
        status.textContent = box.getAttribute("data-msg-failed") + (err && err.message ? " (" + err.message + ")" : "");
      });
  }

  // The buttons come disabled: they work once this script is attached, and
  // only in a browser that knows WebAuthn.
  if (!window.PublicKeyCredential) { return; }
  document.querySelectorAll("[data-jena-passkey]").forEach(function (box) {
    var button = box.querySelector("button");
    if (box.tagName === "FORM") {
      box.addEventListener("submit", function (e) { run(box, e); });
    } else {
      button.addEventListener("click", function (e) { run(box, e); });
    }
    button.disabled = false;
  });
})();
