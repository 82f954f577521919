"""The demo portal (`make up`) must be one where passkeys can work: its
ckan.site_url's host is the WebAuthn relying party, and browsers refuse an
IP address there (Chromium: "is an invalid domain"). So its site URL names
localhost, while bin/run still listens on 127.0.0.1 only."""
import configparser
import ipaddress
import os
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_demo_site_url_is_a_valid_relying_party():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(ROOT, "config", "ckan.ini.in"))
    host = urlsplit(parser["app:main"]["ckan.site_url"].replace("${CKAN_PORT}", "5000")).hostname
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    assert not is_ip, f"ckan.site_url names the IP address {host}: no passkey can be made there"
    assert host == "localhost"   # WebAuthn's one exception to HTTPS
    with open(os.path.join(ROOT, "bin", "run"), encoding="utf-8") as f:
        run = f.read()
    assert "Portal ready: http://localhost:$CKAN_PORT" in run
    assert '--bind "127.0.0.1:$CKAN_PORT"' in run
