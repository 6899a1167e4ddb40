"""Signed digests: what an auditor keeps outside the database to check the event store against later.

A digest is a JSON file: the store it was taken of, how many events up to which position, the chain head, one
checkpoint (Merkle root and chain value) per block of events, the algorithms, and an Ed25519 signature over the
canonical JSON of all of that. Beside it, ``<name>.leaves`` holds one 64-byte record per event (position,
originator id, version, leaf hash); its SHA-256 is in the signed JSON. The small JSON is enough to *detect* any
change; the leaves file is what lets ``verify`` name the first altered, missing, reordered or inserted event, and lets
``prove`` build an inclusion proof that does not trust the database (about 64 MB per million events).

Keys are PEM files: the auditor's private key signs (``voucher-ledger keygen`` writes it, mode 0600), and the public
key is what a reader of a digest trusts — a digest signed by any other key is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from audit.hash_chain import ALGORITHMS, BLOCK_SIZE, ORIGINATOR_ID, POSITION, VERSION, ChainScan, Checkpoint
from audit.source import EventSource

FORMAT = "voucher-ledger/digest/v1"
RECORD = struct.Struct(">q16sq32s")  # one event in the leaves file: position, originator id, version, leaf


class DigestError(RuntimeError):
    """A digest that cannot be trusted: unreadable, unsigned, signed by another key, or not matching its leaves."""


# -- keys -----------------------------------------------------------------------------------------------------------
def generate_keys(private_path: Path, public_path: Path, passphrase: bytes | None = None) -> Ed25519PublicKey:
    """Write a new Ed25519 key pair (PKCS#8 / SubjectPublicKeyInfo PEM); never overwrites an existing key. With a
    passphrase the private key is encrypted with it (PKCS#8, the best encryption ``cryptography`` has)."""
    for path in (private_path, public_path):
        if path.exists():
            raise DigestError(f"{path} exists: an auditor key is never overwritten (move it away first)")
    if passphrase is not None and not passphrase:
        raise DigestError("an empty passphrase encrypts nothing: give one, or none at all")
    key = Ed25519PrivateKey.generate()
    private_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, even briefly
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return key.public_key()


ENCRYPTED_PEM = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"


def private_key_encrypted(path: Path) -> bool:
    return ENCRYPTED_PEM in _read(path)


def load_private_key(path: Path, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """The auditor's private key; ``passphrase`` when it is encrypted (a wrong or missing one is a DigestError)."""
    pem = _read(path)
    encrypted = ENCRYPTED_PEM in pem
    if encrypted and not passphrase:
        raise DigestError(f"{path} is encrypted: give its passphrase")
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase if encrypted else None)
    except ValueError as exc:
        if encrypted:
            raise DigestError(f"the passphrase does not open {path}") from None
        raise DigestError(f"{path} is not a private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise DigestError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(_read(path))
    if not isinstance(key, Ed25519PublicKey):
        raise DigestError(f"{path} is not an Ed25519 public key")
    return key


def raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DigestError(f"cannot read {path}: {exc.strerror}") from exc


# -- the digest -----------------------------------------------------------------------------------------------------
def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Digest:
    body: dict[str, Any]  # everything that is signed
    path: Path | None = None

    @property
    def events(self) -> int:
        return int(self.body["events"])

    @property
    def last_position(self) -> int:
        return int(self.body["last_position"])

    @property
    def block_size(self) -> int:
        return int(self.body["block_size"])

    @property
    def chain_head(self) -> bytes:
        return bytes.fromhex(self.body["chain_head"])

    @property
    def checkpoints(self) -> list[Checkpoint]:
        return [Checkpoint(c["block"], c["events"], c["last_position"], bytes.fromhex(c["root"]),
                           bytes.fromhex(c["chain"])) for c in self.body["checkpoints"]]

    @property
    def first_event(self) -> tuple[int, UUID, int, bytes] | None:
        """``(position, originator id, version, leaf)`` of the first event the digest covers: what names the store
        it was taken of (a copy of a store starts with the same event; another store does not). Digests signed before
        it was recorded have it only in their ``.leaves`` file; None if neither says (or the store was empty)."""
        first = self.body.get("first_event")
        if first is not None:
            return (int(first["position"]), UUID(first["originator_id"]), int(first["version"]),
                    bytes.fromhex(first["leaf"]))
        if self.events == 0:
            return None
        try:
            leaves = self.load_leaves()
        except DigestError:
            return None  # an altered leaves file says nothing about the store; verify reports it on its own
        return leaves[0] if leaves is not None and len(leaves) else None

    def leaves_path(self) -> Path | None:
        leaves = self.body.get("leaves")
        if not leaves or self.path is None:
            return None
        path = self.path.with_name(leaves["file"])
        return path if path.exists() else None

    def load_leaves(self) -> Leaves | None:
        """The per-event records, if their file is beside the digest and matches the signed hash; else None."""
        path = self.leaves_path()
        if path is None:
            return None
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != self.body["leaves"]["sha256"] or len(data) != RECORD.size * self.events:
            raise DigestError(f"{path} does not match the signed digest {self.path}: it was changed or truncated")
        return Leaves(data)


@dataclass(frozen=True)
class Leaves:
    """The digest's per-event records, read in place (a million events are 64 MB; no object per event)."""

    data: bytes

    def __len__(self) -> int:
        return len(self.data) // RECORD.size

    def __getitem__(self, index: int) -> tuple[int, UUID, int, bytes]:
        position, oid, version, leaf = RECORD.unpack_from(self.data, index * RECORD.size)
        return position, UUID(bytes=oid), version, leaf

    def position(self, index: int) -> int:
        return RECORD.unpack_from(self.data, index * RECORD.size)[0]

    def leaf(self, index: int) -> bytes:
        at = index * RECORD.size + 32
        return self.data[at:at + 32]

    def block(self, block: int, size: int) -> list[bytes]:
        stop = min(len(self), (block + 1) * size)
        return [self.leaf(i) for i in range(block * size, stop)]

    def index_of(self, position: int) -> int | None:
        lo, hi = 0, len(self)
        while lo < hi:  # positions increase strictly: binary search
            mid = (lo + hi) // 2
            if self.position(mid) < position:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self) and self.position(lo) == position else None

    def by_event(self) -> dict[tuple[UUID, int], int]:
        """(originator id, version) → index: built only when a difference must be explained."""
        return {(UUID(bytes=oid), version): i for i, (_, oid, version, _) in enumerate(RECORD.iter_unpack(self.data))}


def take_digest(source: EventSource, key: Ed25519PrivateKey, out: Path, *,
                progress: Callable[[int], None] | None = None, block_size: int = BLOCK_SIZE) -> Digest:
    """Hash every event now in the store, write ``out`` (signed JSON) and ``out.leaves`` beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    leaves_path = out.with_suffix(".leaves")
    tmp = leaves_path.with_name(leaves_path.name + ".partial")
    with tmp.open("wb") as stream:
        writer = _LeavesWriter(stream)
        scan = ChainScan(block_size=block_size, record=writer, progress=progress).run(source.rows())
        writer.flush()
    tmp.replace(leaves_path)
    body = {
        "format": FORMAT,
        "store": source.identity(),
        "first_event": writer.first,
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "events": scan.events,
        "last_position": scan.last_position,
        "chain_head": scan.head.hex(),
        "block_size": block_size,
        "checkpoints": [{"block": c.block, "events": c.events, "last_position": c.last_position,
                         "root": c.root.hex(), "chain": c.chain.hex()} for c in scan.checkpoints],
        "algorithms": ALGORITHMS,
        "leaves": {"file": leaves_path.name, "sha256": writer.hasher.hexdigest(), "record": "position int8, originator_id "
                   "16 bytes, originator_version int8, leaf 32 bytes; big-endian, one per event in position order"},
    }
    signature = {"algorithm": "Ed25519", "public_key": raw(key.public_key()).hex(),
                 "value": base64.b64encode(key.sign(canonical(body))).decode()}
    out.write_text(json.dumps(body | {"signature": signature}, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return Digest(body, out)


class _LeavesWriter:
    """Appends each event's record, hashing what it writes (the hash goes into the signed JSON)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.hasher, self.pending = stream, hashlib.sha256(), []
        self.first: dict[str, Any] | None = None  # the first event, named in the signed JSON (Digest.first_event)

    def __call__(self, enc: bytes, leaf: bytes) -> None:  # the encoding already holds position, id, version big-endian
        if self.first is None:
            position, oid, version = (int.from_bytes(enc[POSITION], "big", signed=True), UUID(bytes=enc[ORIGINATOR_ID]),
                                      int.from_bytes(enc[VERSION], "big", signed=True))
            self.first = {"position": position, "originator_id": str(oid), "version": version, "leaf": leaf.hex()}
        self.pending.append(enc[POSITION] + enc[ORIGINATOR_ID] + enc[VERSION] + leaf)
        if len(self.pending) >= 8192:
            self.flush()

    def flush(self) -> None:
        chunk = b"".join(self.pending)
        self.hasher.update(chunk)
        self.stream.write(chunk)
        self.pending.clear()


def load_digest(path: Path, trusted: Ed25519PublicKey) -> Digest:
    """Read a digest and check its signature against the auditor's public key; refuse anything else."""
    try:
        document = json.loads(_read(path))
        body = {k: v for k, v in document.items() if k != "signature"}
        signature = document["signature"]
        value = base64.b64decode(signature["value"], validate=True)
    except (ValueError, KeyError, TypeError) as exc:
        raise DigestError(f"{path} is not a voucher-ledger digest ({exc})") from exc
    if body.get("format") != FORMAT:
        raise DigestError(f"{path}: unknown digest format {body.get('format')!r}")
    if signature.get("public_key") != raw(trusted).hex():
        raise DigestError(f"{path} is signed by another key ({signature.get('public_key', '?')[:16]}…), "
                          "not the trusted auditor key")
    try:
        trusted.verify(value, canonical(body))
    except InvalidSignature as exc:
        raise DigestError(f"{path}: the signature does not match its content (edited after signing?)") from exc
    return Digest(body, path)
