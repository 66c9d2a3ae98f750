"""docs/threats.md case 8: every forged, broken or misused access token is refused.

Each attack goes to GET /api/v1/me as `Authorization: Bearer <token>` and must get the same
401 with `WWW-Authenticate: Bearer` and nothing of the user in the body. The refusal is
recorded as a security event with its reason, never with the token.
"""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shop.accounts import tokens
from shop.monitoring.models import SecurityEvent

from .test_api_tokens import assert_unauthorized


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def hs256(header: dict, payload: dict, key: bytes) -> str:
    """Signs by hand, so that any header and any key (a PEM included) can be used."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def unsigned(header: dict, payload: dict) -> str:
    return f"{segment(header)}.{segment(payload)}."


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def claims(ann):
    """A valid claim set for Ann, as the server would issue it."""
    now = int(time.time())
    return {
        "iss": "buy-from-me",
        "aud": "buy-from-me-api",
        "sub": str(ann.pk),
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "jti": "a" * 32,
        "typ": "access",
        "ver": tokens.user_token_version(ann),
    }


@pytest.fixture
def good(ann):
    return tokens.access_token_issue(user=ann)


KEY = tokens.signing_key

# "HS512 with the real key" signs with a 32-byte key on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def with_claims(claims, **changes):
    updated = {**claims, **changes}
    return {k: v for k, v in updated.items() if v is not None}


def attacks(claims, good, rsa_key, bob) -> dict[str, str]:
    header = {"alg": "HS256", "typ": "JWT"}
    head, payload, signature = good.split(".")
    public_pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    as_bob = segment({**claims, "sub": str(bob.pk)})
    return {
        "alg none": unsigned({"alg": "none", "typ": "JWT"}, claims),
        "alg None": unsigned({"alg": "None", "typ": "JWT"}, claims),
        "alg NONE": unsigned({"alg": "NONE", "typ": "JWT"}, claims),
        "alg nOnE": unsigned({"alg": "nOnE", "typ": "JWT"}, claims),
        "alg none with a signature kept": f"{segment({'alg': 'none'})}.{payload}.{signature}",
        "tampered payload (another user)": f"{head}.{as_bob}.{signature}",
        "tampered payload (longer expiry)": (
            f"{head}.{segment({**claims, 'exp': claims['exp'] + 86400})}.{signature}"
        ),
        "tampered signature": f"{head}.{payload}.{flipped}",
        "signature removed": f"{head}.{payload}.",
        "another key": hs256(header, claims, b"not-the-shop-key-" + b"x" * 32),
        "HS256 signed with the RSA public key PEM": hs256(header, claims, public_pem),
        "RS256 with the attacker's key": jwt.encode(claims, private_pem, algorithm="RS256"),
        "jwk header (attacker's public key)": jwt.encode(
            claims, private_pem, algorithm="RS256", headers={"jwk": jwk}
        ),
        "jwk header on HS256 with the real key": hs256({**header, "jwk": jwk}, claims, KEY()),
        "jku header": jwt.encode(
            claims, private_pem, algorithm="RS256", headers={"jku": "http://evil.test/k.json"}
        ),
        "jku header on HS256 with the real key": hs256(
            {**header, "jku": "http://evil.test/k.json"}, claims, KEY()
        ),
        "kid path traversal, empty key": hs256(
            {**header, "kid": "../../../../dev/null"}, claims, b""
        ),
        "kid header with the real key": hs256({**header, "kid": "1"}, claims, KEY()),
        "x5u header": hs256({**header, "x5u": "http://evil.test/c.pem"}, claims, KEY()),
        "crit header": hs256({**header, "crit": ["exp"]}, claims, KEY()),
        "HS512 with the real key": jwt.encode(claims, KEY(), algorithm="HS512"),
        "expired": hs256(header, with_claims(claims, exp=claims["iat"] - 1), KEY()),
        "expired a second ago": hs256(
            header,
            with_claims(
                claims, iat=claims["iat"] - 601, nbf=claims["iat"] - 601, exp=claims["iat"] - 1
            ),
            KEY(),
        ),
        "future nbf": hs256(header, with_claims(claims, nbf=claims["iat"] + 60), KEY()),
        "future iat": hs256(header, with_claims(claims, iat=claims["iat"] + 3600), KEY()),
        "missing exp": hs256(header, with_claims(claims, exp=None), KEY()),
        "missing nbf": hs256(header, with_claims(claims, nbf=None), KEY()),
        "missing iat": hs256(header, with_claims(claims, iat=None), KEY()),
        "missing jti": hs256(header, with_claims(claims, jti=None), KEY()),
        "missing typ": hs256(header, with_claims(claims, typ=None), KEY()),
        "missing sub": hs256(header, with_claims(claims, sub=None), KEY()),
        "missing aud": hs256(header, with_claims(claims, aud=None), KEY()),
        "missing iss": hs256(header, with_claims(claims, iss=None), KEY()),
        "missing ver": hs256(header, with_claims(claims, ver=None), KEY()),
        "wrong aud": hs256(header, with_claims(claims, aud="another-api"), KEY()),
        "aud list with ours and another": hs256(
            header, with_claims(claims, aud=["buy-from-me-api", "x"]), KEY()
        ),
        "wrong iss": hs256(header, with_claims(claims, iss="https://evil.test"), KEY()),
        "wrong version (old password)": hs256(header, with_claims(claims, ver="0" * 32), KEY()),
        "typ refresh": hs256(header, with_claims(claims, typ="refresh"), KEY()),
        "sub not a number": hs256(header, with_claims(claims, sub="ann@example.com"), KEY()),
        "sub as an integer": hs256(header, with_claims(claims, sub=int(claims["sub"])), KEY()),
        "unknown user": hs256(header, with_claims(claims, sub="987654321"), KEY()),
        "garbage": "garbage",
        "three dots of garbage": "a.b.c",
        "non-JSON header": f"{b64(b'not json')}.{payload}.{signature}",
        "very long": "a" * 5000 + "." + "b" * 5000 + ".c",
        "unicode": "токен.токен.токен",
    }


ATTACK_NAMES = [
    "alg none",
    "alg None",
    "alg NONE",
    "alg nOnE",
    "alg none with a signature kept",
    "tampered payload (another user)",
    "tampered payload (longer expiry)",
    "tampered signature",
    "signature removed",
    "another key",
    "HS256 signed with the RSA public key PEM",
    "RS256 with the attacker's key",
    "jwk header (attacker's public key)",
    "jwk header on HS256 with the real key",
    "jku header",
    "jku header on HS256 with the real key",
    "kid path traversal, empty key",
    "kid header with the real key",
    "x5u header",
    "crit header",
    "HS512 with the real key",
    "expired",
    "expired a second ago",
    "future nbf",
    "future iat",
    "missing exp",
    "missing nbf",
    "missing iat",
    "missing jti",
    "missing typ",
    "missing sub",
    "missing aud",
    "missing iss",
    "missing ver",
    "wrong aud",
    "aud list with ours and another",
    "wrong iss",
    "wrong version (old password)",
    "typ refresh",
    "sub not a number",
    "sub as an integer",
    "unknown user",
    "garbage",
    "three dots of garbage",
    "non-JSON header",
    "very long",
    "unicode",
]


@pytest.mark.parametrize("attack", ATTACK_NAMES)
def test_forged_or_broken_access_tokens_are_refused(api, ann, bob, claims, good, rsa_key, attack):
    token = attacks(claims, good, rsa_key, bob)[attack]
    response = api.get("/api/v1/me", token=token)
    assert_unauthorized(response, absent=("ann@example.com", "Ann", "bob@example.com", "Bob"))
    event = SecurityEvent.objects.get(kind="token_invalid")
    assert event.details["reason"]
    assert token[:40] not in json.dumps(event.details)


def test_the_attack_list_is_complete(ann, bob, claims, good, rsa_key):
    assert set(ATTACK_NAMES) == set(attacks(claims, good, rsa_key, bob))


def test_the_genuine_token_works(api, ann, good):
    """The control: the same request with the real token succeeds, so the 401s above are the
    attacks' doing."""
    assert api.get("/api/v1/me", token=good).status_code == 200


def test_a_hand_signed_token_with_valid_claims_works(api, ann, claims):
    """The hand signer above is right: with the real key and sound claims it is accepted."""
    token = hs256({"alg": "HS256", "typ": "JWT"}, claims, KEY())
    assert api.get("/api/v1/me", token=token).status_code == 200


def test_a_refresh_token_is_not_an_access_token(api, ann):
    pair = api.sign_in()
    assert_unauthorized(api.get("/api/v1/me", token=pair["refresh"]))


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Bearer    ", "Basic YW5uOnB3", "Token abc", "bearer"]
)
def test_empty_or_foreign_authorization_headers(client, ann, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert_unauthorized(response)


def test_an_access_token_does_not_sign_in_the_storefront(client, ann, good):
    """Storefront pages know only the session: a bearer header there is ignored."""
    response = client.get("/account/", HTTP_AUTHORIZATION=f"Bearer {good}")
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_tokens_use_hs256_with_every_claim(ann, good):
    header = jwt.get_unverified_header(good)
    assert header == {"alg": "HS256", "typ": "JWT"}
    payload = jwt.decode(good, options={"verify_signature": False})
    assert set(payload) == {"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ", "ver"}
    assert payload["exp"] - payload["iat"] == 600
    assert payload["typ"] == "access"
