"""The auditor's private key, encrypted with a passphrase (audit/digest.py, api/cli/passphrase.py): written so by
`keygen`, opened only with the passphrase, which comes from a file, the environment or a prompt — never in clear on
disk unless `--no-passphrase` says so. Signing with it (`digest`) is tested on both stores in test_tamper_evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

from api.cli import evidence
from api.cli.passphrase import ENV
from audit.digest import DigestError, generate_keys, load_private_key, load_public_key, private_key_encrypted, raw

PASSPHRASE = "长城 long passphrase 2020"


def clear_bytes(key) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def test_an_encrypted_key_opens_with_its_passphrase_only(tmp_path):
    private, public = tmp_path / "k.pem", tmp_path / "p.pem"
    made = generate_keys(private, public, PASSPHRASE.encode())
    assert private_key_encrypted(private) and private.stat().st_mode & 0o077 == 0
    key = load_private_key(private, PASSPHRASE.encode())
    assert raw(key.public_key()) == raw(made) == raw(load_public_key(public))
    assert clear_bytes(key) not in private.read_bytes()  # the secret half is not in the file in clear
    signature = key.sign(b"digest body")
    load_public_key(public).verify(signature, b"digest body")  # raises if not the pair
    with pytest.raises(DigestError, match="is encrypted: give its passphrase"):
        load_private_key(private)
    with pytest.raises(DigestError, match="the passphrase does not open"):
        load_private_key(private, b"long passphrase 2021")
    with pytest.raises(DigestError, match="empty passphrase"):
        generate_keys(tmp_path / "k2.pem", tmp_path / "p2.pem", b"")


def cli(*args: str, input: str | None = None, env: dict[str, str] | None = None):
    app = typer.Typer()
    evidence.register(app)
    return CliRunner().invoke(app, list(args), input=input, env={ENV: "", **(env or {})}, catch_exceptions=False)


def keygen(tmp_path: Path, *extra: str, **kwargs):
    private, public = tmp_path / "k.pem", tmp_path / "p.pem"
    return cli("keygen", "--private-key", str(private), "--public-key", str(public), *extra, **kwargs), private


@pytest.mark.parametrize("source", ["prompt", "environment", "file"])
def test_keygen_encrypts_with_the_passphrase_from_each_source(tmp_path, source):
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n", encoding="utf-8")  # its first line; the newline is not part of it
    given = {"prompt": {"input": f"{PASSPHRASE}\n{PASSPHRASE}\n"}, "environment": {"env": {ENV: PASSPHRASE}},
             "file": {}}[source]
    extra = ("--passphrase-file", str(passphrase_file)) if source == "file" else ()
    done, private = keygen(tmp_path, *extra, **given)
    assert done.exit_code == 0 and "encrypted" in done.output and "NOT" not in done.output, done.output
    load_private_key(private, PASSPHRASE.encode())  # that passphrase, and no other, opens it
    with pytest.raises(DigestError):
        load_private_key(private, (PASSPHRASE + "\n").encode())


def test_keygen_without_a_passphrase_refuses_unless_told_to_write_in_clear(tmp_path):
    done, private = keygen(tmp_path)  # no file, no variable, nothing answers the prompt
    assert done.exit_code == 2 and "no passphrase" in done.output and not private.exists()
    mismatched, private = keygen(tmp_path, input="one passphrase\nanother\none passphrase\none passphrase\n")
    assert mismatched.exit_code == 0  # asked again after the mismatch
    assert load_private_key(private, b"one passphrase")
    missing, private = keygen(tmp_path / "clear", "--no-passphrase")  # a folder given must exist (api/cli/paths.py)
    assert missing.exit_code == 2 and "does not exist" in missing.output and not (tmp_path / "clear").exists()
    (tmp_path / "clear").mkdir()
    clear, private = keygen(tmp_path / "clear", "--no-passphrase")
    assert clear.exit_code == 0 and "NOT encrypted" in clear.output
    assert not private_key_encrypted(private) and load_private_key(private)
