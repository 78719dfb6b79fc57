"""Drives meshcloud's OIDC provider with a real client library (Authlib):
discovery, the authorization-code flow with PKCE (S256) through the sign-in
page, ID-token validation against the JWKS (ES512), userinfo and refresh.

Usage: oidc_authlib.py BASE CLIENT_ID CLIENT_SECRET REDIRECT_URI EMAIL PASSWORD
Exits non-zero with a message on any failure.
"""

import html
import re
import sys

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken


def main():
    base, client_id, secret, redirect_uri, email, password = sys.argv[1:7]
    meta = requests.get(base + "/.well-known/openid-configuration", timeout=10).json()
    assert meta["issuer"] == base, meta["issuer"]

    client = OAuth2Session(
        client_id,
        secret,
        scope="openid email profile",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = generate_token(64)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )

    browser = requests.Session()
    page = browser.get(url, allow_redirects=False, timeout=10)
    assert page.status_code == 200, (page.status_code, page.text[:300])
    sealed = html.unescape(re.search(r'name="state" value="([^"]*)"', page.text).group(1))
    done = browser.post(
        base + "/oauth2/v2/login",
        data={"state": sealed, "email": email, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    assert done.status_code == 302, (done.status_code, done.text[:300])
    location = done.headers["Location"]
    assert location.startswith(redirect_uri), location

    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=location, code_verifier=verifier
    )
    assert token["token_type"].lower() == "bearer"

    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": base}, "aud": {"essential": True, "value": client_id}},
        claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    claims.validate()
    assert claims["sub"] == email and claims["email"] == email, dict(claims)

    info = client.get(meta["userinfo_endpoint"]).json()
    assert info["sub"] == email and info["email_verified"] is True, info

    old_access = token["access_token"]
    refreshed = client.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != old_access
    gone = requests.get(meta["userinfo_endpoint"], headers={"Authorization": "Bearer " + old_access}, timeout=10)
    assert gone.status_code == 401, gone.status_code
    print("ok")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - any failure is the test's failure
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
