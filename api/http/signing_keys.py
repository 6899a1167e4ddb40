"""Local asymmetric keys for tokens: a stand-in for the identity provider in tests and the demo.

``voucher-ledger keys new`` makes a private key (PEM) and adds its public half to a JWKS file; ``voucher-ledger token
--private-key`` mints with it. Production takes its tokens from the province's identity provider instead; only the
JWKS file is shared with the service.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from api.http.auth import claims_for
from store.settings import Settings

KINDS = ("EdDSA", "ES256", "RS256")


def new_private_key(algorithm: str = "EdDSA"):
    if algorithm == "EdDSA":
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"unknown key algorithm {algorithm!r}: one of {', '.join(KINDS)}")


def algorithm_of(private_key) -> str:
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    if isinstance(private_key, ec.EllipticCurvePrivateKey) and isinstance(private_key.curve, ec.SECP256R1):
        return "ES256"
    if isinstance(private_key, rsa.RSAPrivateKey):
        return "RS256"
    raise ValueError("the private key is not Ed25519, EC P-256 or RSA")


def public_jwk(private_key, kid: str) -> dict[str, str]:
    algorithm = algorithm_of(private_key)
    if algorithm == "EdDSA":
        jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private_key.public_key()))
    elif algorithm == "ES256":
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private_key.public_key()))
    else:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "alg": algorithm, "use": "sig"}


def private_pem(private_key) -> bytes:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def load_private_key(path: Path):
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def new_kid() -> str:
    return uuid.uuid4().hex[:16]


def add_to_jwks(jwks_path: Path, jwk: dict[str, str]) -> None:
    """Add (or replace, by kid) a key in a JWKS file, written whole and renamed, so a reader never sees half a file."""
    keys = json.loads(jwks_path.read_text(encoding="utf-8"))["keys"] if jwks_path.exists() else []
    write_jwks(jwks_path, [k for k in keys if k.get("kid") != jwk["kid"]] + [jwk])


def write_jwks(jwks_path: Path, keys: list[dict[str, str]]) -> None:
    tmp = jwks_path.with_name(jwks_path.name + ".tmp")
    tmp.write_text(json.dumps({"keys": keys}, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, jwks_path)


def write_private_key(path: Path, private_key) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private_pem(private_key))


def mint_signed(settings: Settings, role: str, private_key, kid: str, *, subject: str | None = None,
                now: datetime | None = None, ttl_s: int | None = None, **overrides: object) -> str:
    """A token as the identity provider would sign it: the configured issuer and audience (``overrides`` replace
    claims, for tests of wrong ones; None removes one)."""
    claims = claims_for(settings, role, settings.jwt_issuer or "voucher-ledger", subject=subject, now=now, ttl_s=ttl_s)
    claims = {k: v for k, v in {**claims, **overrides}.items() if v is not None}
    return jwt.encode(claims, private_key, algorithm=algorithm_of(private_key), headers={"kid": kid})
