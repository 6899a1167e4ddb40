"""`voucher-ledger keygen | digest | verify | prove`: tamper evidence for the event store (audit/, README).

The auditor keeps the key pair and the digests outside the database: ``digest`` signs what the store holds now,
``verify`` recomputes everything, names the first event that differs from a digest and every stored row, version
or snapshot the service would not have written, ``prove`` shows one event is covered by a digest. Each exits
non-zero on any finding, so it can run from cron or CI.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from api.cli.paths import output_file
from api.cli.projections import _events_bar
from store.settings import get_settings
from api.cli.passphrase import FILE_OPTION, NoPassphrase, passphrase
from audit.digest import (DigestError, generate_keys, load_digest, load_private_key, load_public_key,
                          private_key_encrypted, raw, take_digest)
from audit.source import EventSource, StoreReadError

console = Console()
AUDIT_DIR = Path("var/audit")
PRIVATE_KEY = AUDIT_DIR / "auditor.key.pem"
PUBLIC_KEY = AUDIT_DIR / "auditor.pub.pem"
DIGESTS = AUDIT_DIR / "digests"
ANOTHER_STORE = 3  # `verify`: the digest is of another store (1: a finding; 2: could not check at all)


def latest_digest(folder: Path = DIGESTS) -> Path | None:
    found = sorted(folder.glob("digest-*.json"))  # the names sort by the time they were taken
    return found[-1] if found else None


def _place(identity: dict[str, object]) -> str:
    """Where a digest says its store was: ``postgres 127.0.0.1:5432/ledger public.voucherledger_events``."""
    if identity.get("kind") == "sqlite":
        return f"sqlite {identity.get('path')}"
    return (f"{identity.get('kind')} {identity.get('host')}:{identity.get('port')}/{identity.get('database')} "
            f"{identity.get('table')}")


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]{message}[/]")
    return typer.Exit(code)


def _warn_if_not_append_only(source: EventSource) -> None:
    if source.append_only() is False:
        console.print("[yellow]warning[/]: the events table has no append-only trigger: run `voucher-ledger migrate`")


def register(app: typer.Typer) -> None:
    @app.command()
    def keygen(private_key: Path = typer.Option(None, help=f"where to write the auditor's private key (0600; "
                                                          f"default {PRIVATE_KEY})"),
               public_key: Path = typer.Option(None, help="where to write the public key that checks digests "
                                                          f"(default {PUBLIC_KEY})"),
               passphrase_file: Path = FILE_OPTION,
               no_passphrase: bool = typer.Option(False, "--no-passphrase",
                                                  help="write the private key in clear (not for production)")) -> None:
        """Create the auditor's Ed25519 key pair, the private key encrypted with a passphrase; keep it away from the
        ledger's servers."""
        # A path given goes into a folder that exists (api/cli/paths.py); only the default folder is created.
        private_key = output_file(private_key, "--private-key") if private_key else PRIVATE_KEY
        public_key = output_file(public_key, "--public-key") if public_key else PUBLIC_KEY
        try:
            secret = None if no_passphrase else passphrase(passphrase_file, new=True)
            key = generate_keys(private_key, public_key, secret)
        except (DigestError, NoPassphrase) as exc:
            raise _fail(str(exc)) from exc
        how = "encrypted" if secret else "NOT encrypted"
        console.print(f"wrote {private_key} (private, {how}, mode 0600) and {public_key} (public key "
                      f"{raw(key).hex()[:16]}…)")

    @app.command()
    def digest(private_key: Path = typer.Option(PRIVATE_KEY, help="the auditor's private key (see keygen)"),
               passphrase_file: Path = FILE_OPTION,
               out: Path = typer.Option(None, help=f"digest file (default: {DIGESTS}/digest-<UTC time>.json)")) -> None:
        """Hash every stored event and write a signed digest (JSON) with its per-event leaves file beside it."""
        if out is not None:  # a path given goes into a folder that exists; only the default folder is created
            output_file(out, "--out")  # its .leaves file goes beside it
        settings = get_settings()
        source = EventSource(settings)
        if not private_key.exists():
            raise _fail(f"no auditor key at {private_key}: create one with `voucher-ledger keygen`")
        try:
            secret = passphrase(passphrase_file) if private_key_encrypted(private_key) else None
            key = load_private_key(private_key, secret)
            out = out or DIGESTS / f"digest-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
            total = source.stats()[0]
            with _events_bar(total, "digest") as advance:
                taken = take_digest(source, key, out, progress=advance)
        except (DigestError, StoreReadError, NoPassphrase) as exc:
            raise _fail(str(exc)) from exc
        _warn_if_not_append_only(source)
        console.print(f"{settings.describe_store()}: {taken.events:,} events up to position {taken.last_position:,}, "
                      f"chain head {taken.chain_head.hex()}")
        console.print(f"wrote {out} (signed) and {taken.leaves_path()}: keep both outside the database")

    @app.command()
    def verify(digest: Path = typer.Option(None, help=f"a saved digest (default: the newest in {DIGESTS}); without "
                                                      "any, recompute the chain and print its head"),
               public_key: Path = typer.Option(PUBLIC_KEY, help="the auditor's public key the digest must be signed "
                                                                "with")) -> None:
        """Recompute the hash chain and Merkle roots and name the first altered, missing, reordered or inserted event;
        check every stored row, every aggregate's versions and every snapshot (exit 1 on any finding)."""
        from audit.verify import taken_of_another_store
        from audit.verify import verify as run_verify

        settings = get_settings()
        source = EventSource(settings)
        digest = digest or latest_digest()
        try:
            signed = load_digest(digest, load_public_key(public_key)) if digest else None
            if signed is not None and taken_of_another_store(source, signed):
                console.print("[yellow]ANOTHER STORE[/]: 该摘要属于另一个存储，不是本存储被篡改的证据 / the digest "
                              "belongs to another store: it is no evidence of tampering here")
                console.print(f"  digest {digest}: taken of {_place(signed.body['store'])}")
                console.print(f"  checking {settings.describe_store()}: its first event is not the digest's either; "
                              "verify with a digest taken of this store")
                raise typer.Exit(ANOTHER_STORE)
            if signed is not None and signed.body["store"] != source.identity():
                console.print(f"[yellow]note[/]: {digest} was taken of {_place(signed.body['store'])} (the same "
                              f"first event: a copy of this store); checking {settings.describe_store()}")
            total = signed.events if signed else source.stats()[0]
            with _events_bar(total, "verify") as advance:
                result = run_verify(source, signed, progress=advance,
                                    stage=lambda what: console.print(f"checking {what}…"))
        except (DigestError, StoreReadError) as exc:
            raise _fail(str(exc)) from exc
        _warn_if_not_append_only(source)
        rate = f"{result.events_per_second:,.0f} events/s"
        if result.snapshots is not None:
            console.print(f"{result.snapshots.snapshots:,} snapshot(s) of {result.snapshots.aggregates:,} aggregate(s) "
                          "replayed from their events")
        if signed is None:
            console.print(f"no digest to compare with: {result.checked:,} events, chain head {result.head.hex()} "
                          f"({rate}); `voucher-ledger digest` signs one")
        elif result.not_covered:
            console.print(f"{result.not_covered:,} event(s) after position {signed.last_position:,} are not covered "
                          "yet by this digest (recorded since it was taken)")
        if result.ok:
            if signed is not None:
                console.print(f"[green]verified[/]: {result.checked:,} events up to position {signed.last_position:,} "
                              f"match {digest}, every stored row and snapshot checked ({rate})")
            else:
                console.print("[green]checked[/]: every stored row and snapshot (no digest: changes to the events "
                              "themselves are not detected)")
            return
        table = Table(title=f"{result.total_findings:,} finding(s)" + (f" against {digest}" if signed else ""))
        for column in ("kind", "position", "originator id", "version", "detail"):
            table.add_column(column)
        for f in result.findings[:20]:
            table.add_row(f.kind, "" if f.position is None else str(f.position), str(f.originator_id or ""),
                          str(f.version or ""), f.detail)
        console.print(table)
        console.print(f"[red]TAMPERED[/]: first finding: {result.first}")
        raise typer.Exit(1)

    @app.command()
    def prove(position: int = typer.Argument(None, help="the event's position (notification id)"),
              digest: Path = typer.Option(None, help=f"the digest (default: the newest in {DIGESTS})"),
              public_key: Path = typer.Option(PUBLIC_KEY, help="the auditor's public key"),
              out: Path = typer.Option(None, help="also save the proof as JSON"),
              check: Path = typer.Option(None, help="check a saved proof instead (needs no database)")) -> None:
        """Make (or check) an inclusion proof: the event at POSITION is covered by the digest (exit 1 if not)."""
        from audit.proof import InclusionProof, ProofError, check_proof, make_proof

        if out is not None:
            output_file(out, "--out")
        digest = digest or latest_digest()
        if digest is None:
            raise _fail(f"no digest: pass --digest or run `voucher-ledger digest` (looked in {DIGESTS})")
        try:
            signed = load_digest(digest, load_public_key(public_key))
            if check is not None:
                proof = InclusionProof.from_json(json.loads(check.read_text(encoding="utf-8")))
            elif position is None:
                raise _fail("give a POSITION to prove, or --check PROOF")
            else:
                proof = make_proof(EventSource(get_settings()), signed, signed.load_leaves(), position)
        except (DigestError, StoreReadError, ProofError, OSError, ValueError, TypeError) as exc:
            raise _fail(str(exc)) from exc
        if out is not None:
            out.write_text(json.dumps(proof.to_json(), indent=1) + "\n", encoding="utf-8")
            console.print(f"wrote {out}")
        event = f"position {proof.position} ({proof.originator_id} v{proof.version}, {proof.topic})"
        if check_proof(proof, signed):
            console.print(f"[green]covered[/]: {event} is leaf {proof.index} of block {proof.block}; "
                          f"{len(proof.path)} hashes reach the signed root {proof.root[:16]}… of {digest}")
            return
        console.print(f"[red]NOT covered[/]: {event} does not reach the signed root of block {proof.block} of {digest}")
        raise typer.Exit(1)
