"""Ed25519 signatures of approvals: ``--sign-key`` on approve, ``verify --public-key``, ``datapolisher keygen``.

The approval hash alone proves integrity against accidents, not against a forger: anyone who can edit the files
can recompute every checksum and the hash. A signature made with a private key that the forger does not hold,
checked against a public key the verifier already trusts (never the one inside the manifest), does. Signing uses
``cryptography`` (the optional extra ``datapolisher[sign]``), imported only here and only when asked for.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> private, public = keygen(d / "team")
>>> key = load_private_key(private)
>>> sig = sign_message(key, b"m")
>>> verify_message(load_public_key(public), b"m", sig), verify_message(load_public_key(public), b"x", sig)
(True, False)
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from ..errors import InputError

_INSTALL = "signing needs the cryptography package: pip install 'datapolisher[sign]'"


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise InputError(_INSTALL) from None
    return serialization, ed25519


def keygen(prefix: Path) -> tuple[Path, Path]:
    """Write a new key pair: ``PREFIX.key`` (private, PEM, mode 0600) and ``PREFIX.pub`` (public, PEM)."""
    serialization, ed25519 = _crypto()
    private, public = prefix.with_name(prefix.name + ".key"), prefix.with_name(prefix.name + ".pub")
    for p in (private, public):
        if p.exists():
            raise InputError(f"{p} already exists: keys are never overwritten")
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    prefix.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None


def load_private_key(path: Path) -> Any:
    """An Ed25519 private key from a PEM file (as ``keygen`` writes, or ``openssl genpkey -algorithm ed25519``)."""
    serialization, ed25519 = _crypto()
    try:
        key = serialization.load_pem_private_key(_read(path, "signing key"), password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise InputError(f"{path} holds a {type(key).__name__}, not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Any:
    """An Ed25519 public key from a PEM file, or from a file holding the base64 of its 32 raw bytes."""
    serialization, ed25519 = _crypto()
    data = _read(path, "public key")
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_public_key(data)
        else:
            key = ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(data.strip(), validate=True))
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path} is not an Ed25519 public key (PEM or base64): {exc}") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise InputError(f"{path} holds a {type(key).__name__}, not an Ed25519 public key")
    return key


def public_key_text(key: Any) -> str:
    """The base64 of a key's 32 raw public bytes, as the manifest records it."""
    serialization, _ = _crypto()
    pub = key.public_key() if hasattr(key, "public_key") else key
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign_message(key: Any, message: bytes) -> str:
    return base64.b64encode(key.sign(message)).decode()


def verify_message(public_key: Any, message: bytes, signature: str) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True
