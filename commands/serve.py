"""`ledger serve`: the read-only web view for leaders and supervisors (web/)."""

from __future__ import annotations

from pathlib import Path

import click

from commands.options import IntRange, LedgerContext, echo, format_option, pass_ledger, render_record
from commands.i18n import Command
from ledger.errors import InvalidInput
from ledger.messages import t


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _read_token(token: str | None, token_file: str | None) -> str | None:
    if token is not None and token_file is not None:
        raise click.UsageError(t("give --token or --token-file, not both"))
    if token_file is not None:
        from ledger.inputs import MAX_KEY_BYTES, read_regular

        try:
            lines = read_regular(Path(token_file).expanduser(), "--token-file", MAX_KEY_BYTES).decode("utf-8").splitlines()
        except UnicodeDecodeError as e:
            raise InvalidInput(t("--token-file: cannot read {token_file} ({name__})", token_file=token_file, name__=e.__class__.__name__)) from None
        token = lines[0] if lines else ""
        if not token.strip():
            raise InvalidInput(t("--token-file: {token_file} holds no token on its first line", token_file=token_file))
    if token is not None:
        token = token.strip()
        if len(token) < 8:
            raise click.UsageError(t("--token must be at least 8 characters"))
        if not all(33 <= ord(ch) < 127 for ch in token):
            raise click.UsageError(t("--token must be printable ASCII without spaces (it travels in HTTP headers)"))
    return token


def _check_port_free(host: str, port: int) -> None:
    import socket

    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as e:
            raise InvalidInput(t("--host/--port: cannot listen on {host}:{port} ({value})", host=host, port=port, value=e.strerror or e)) from None


@click.command(cls=Command)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on; anything but loopback needs --token.")
@click.option("--port", type=IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--token", default=None, help="Access token every request must carry (header, or open a page with ?token=… once).")
@click.option("--token-file", default=None, metavar="FILE", help="Read the access token from the first line of FILE instead.")
@format_option
@pass_ledger
def serve(state: LedgerContext, host: str, port: int, token: str | None, token_file: str | None, fmt: str) -> None:
    """Serve a read-only web view of the ledger: overview, problems, due, summary, reports, verification.

    Only GET and HEAD are answered; the store is opened read-only. Loopback
    (127.0.0.1) by default: any other address requires --token or --token-file.

    A page is in the reader's language: ?lang=zh or ?lang=en, else the browser's,
    else this command's (--lang, LEDGER_LANG, ledger.yaml's language:).
    """
    secret = _read_token(token, token_file)
    if not is_loopback(host) and not secret:
        raise click.UsageError(t("--host {host} is not a loopback address: serving beyond this machine requires --token or --token-file", host=host))
    from composition import web_app

    from commands import i18n

    app = web_app(state.config, token=secret, lang=i18n.current())
    _check_port_free(host, port)
    import uvicorn

    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    from ledger.store import describe_store

    store = describe_store(state.config.store)
    lines = [t("serving {store} read-only at {url} (Ctrl-C to stop)", store=store, url=url)]
    if secret:
        lines.append(t("every request needs the token: open {url}?token=<token> once, or send 'Authorization: Bearer <token>'", url=url))
    else:
        lines.append(t("loopback only: no token needed"))
    # The announcement goes to stdout (json: one record a script can read for the URL).
    echo(render_record({"url": url, "store": store, "read_only": True, "token_required": bool(secret)}, fmt, lines))
    uvicorn.run(app, host=host.strip("[]"), port=port, log_level="warning", access_log=False, server_header=False)


COMMANDS = [serve]
