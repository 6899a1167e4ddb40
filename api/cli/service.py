"""`voucher-ledger serve | token | keys new`: running the HTTP service and minting its tokens."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from store.settings import Settings, get_settings

console = Console()
# uvicorn kills a worker that does not answer its health ping within 5 s; a worker opening the store on a busy
# machine (2 cores, projection workers catching up beside it) can take longer, and would be killed and restarted over
# and over.
WORKER_HEALTHCHECK_S = 60


def serve_api(settings: Settings) -> None:
    """Run the HTTP API on ``settings`` (uvicorn), as `voucher-ledger serve` and the demo do; on PostgreSQL with
    ``api_projection_workers`` also a `follow` worker per projection (api/cli/supervisor.py)."""
    import os
    import shutil

    import uvicorn

    from api.http.metrics import shared_between_processes
    from api.http.log_format import uvicorn_log_config
    from api.cli.supervisor import WorkerSupervisor, supervised_env
    from api.http.health import needs_workers
    from projections.runner import PROJECTIONS

    # Workers are separate processes that build the app from the environment, so pass the settings through it.
    os.environ.update(settings.environment())
    counted_in = shared_between_processes() if settings.api_workers > 1 else None  # /metrics sums every process
    supervisor = None
    if settings.api_projection_workers and needs_workers(settings):
        supervisor = WorkerSupervisor(list(PROJECTIONS), supervised_env(settings.environment())).start()
    try:
        # uvicorn's own access log is off: api/http/access_log.py writes one line per request, in the service's
        # format, with its route template and request id.
        uvicorn.run("api.http.app:app_from_environment", factory=True, host=settings.api_host,
                    port=settings.api_port, workers=settings.api_workers, log_level="info", access_log=False,
                    timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
                    **({"log_config": config} if (config := uvicorn_log_config(settings.log_format)) else {}))
    finally:
        if supervisor is not None:
            supervisor.stop()
        if counted_in is not None:
            shutil.rmtree(counted_in, ignore_errors=True)


def _announce(settings: Settings) -> None:
    """What is served where: for people on a terminal, else one JSON line like every other line of serve; and
    serve's own log records in the service's format."""
    import sys

    from api.http import log_format

    docs = f"http://{settings.api_host}:{settings.api_port}/docs"
    log_format.configure(settings.log_format)  # serve's own records too (a projection worker restarted)
    if log_format.human(settings.log_format, sys.stdout):
        console.print(f"serving {settings.describe_store()} on {docs}")
    else:
        import structlog

        structlog.get_logger("voucher_ledger.serve").info("serving", store=settings.describe_store(), docs=docs)


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(workers: bool = typer.Option(True, "--workers/--no-workers",
                                           help="on PostgreSQL, run and restart a `follow` worker per projection "
                                                "(--no-workers: run them yourself; /readyz fails while none follows)")
              ) -> None:
        """Start the HTTP API (uvicorn; address, port and workers from settings). /docs has the reference."""
        settings = get_settings()
        if not workers:
            settings = settings.model_copy(update={"api_projection_workers": False})
        _announce(settings)
        serve_api(settings)

    @app.command()
    def token(role: str = typer.Option(..., help="province | auditor | city:<code> | enterprise:<uscc> | provider:<uscc>"),
              subject: str = typer.Option("", help="who the token is for (recorded as the actor); default: the role"),
              ttl_s: int = typer.Option(0, help="lifetime in seconds (default: VOUCHER_LEDGER_TOKEN_TTL_S)"),
              private_key: Path = typer.Option(None, help="sign with this private key (PEM, from `keys new`) as the "
                                               "identity provider would, instead of the HS256 key"),
              kid: str = typer.Option("", help="the key's id in the JWKS (with --private-key)")) -> None:
        """Mint a bearer token signed with the configured key (or, with --private-key, with a local private key)."""
        from api.http.auth import mint
        from api.http.signing_keys import load_private_key, mint_signed

        settings = get_settings()
        try:
            if private_key is None:
                print(mint(settings, role, subject=subject or None, ttl_s=ttl_s or None))
            elif not kid:
                raise ValueError("--private-key needs --kid: the id of its public key in the JWKS")
            else:
                print(mint_signed(settings, role, load_private_key(private_key), kid, subject=subject or None,
                                  ttl_s=ttl_s or None))
        except (ValueError, OSError) as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None

    keys = typer.Typer(help="Local token-signing keys (a stand-in for the identity provider in tests and demos).",
                       no_args_is_help=True)
    app.add_typer(keys, name="keys")

    @keys.command("new")
    def keys_new(out: Path = typer.Option(..., help="the JWKS file to add the public key to (created if absent)"),
                 private: Path = typer.Option(..., help="where to write the private key (PEM, mode 0600)"),
                 algorithm: str = typer.Option("EdDSA", help="EdDSA | ES256 | RS256"),
                 kid: str = typer.Option("", help="the key's id (default: a random one)")) -> None:
        """Make a key pair: the private key to a PEM file, its public half into a JWKS file; prints the kid."""
        from api.http.signing_keys import add_to_jwks, new_kid, new_private_key, public_jwk, write_private_key

        try:
            key = new_private_key(algorithm)
            kid = kid or new_kid()
            write_private_key(private, key)
            add_to_jwks(out, public_jwk(key, kid))
        except (ValueError, OSError, KeyError) as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
        print(kid)

    @app.command("console-link")
    def console_link(role: str = typer.Option(..., help="province | auditor | city:<code> | enterprise:<uscc> | "
                                                         "provider:<uscc>"),
                     subject: str = typer.Option("", help="who the link is for (recorded as the actor)"),
                     base_url: str = typer.Option("", help="the service's address (default: from the settings)")) -> None:
        """Print a one-time sign-in link to the web console (valid 10 minutes, usable once)."""
        from api.http.console.links import console_link as link

        settings = get_settings()
        base = base_url or f"http://{settings.api_host}:{settings.api_port}"
        try:
            print(link(settings, role, base_url=base, subject=subject or None))
        except ValueError as exc:
            console.print(f"[red]{exc}[/]")
            raise typer.Exit(2) from None
