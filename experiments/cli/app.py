"""`tracktwo app`: serve the trainer's app on this machine, working with no internet."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import socket
import sys
from pathlib import Path

from tracktwo.experiments.provenance import PROJECT_ROOT
from tracktwo.model import ConfigError

__all__ = [
    "APP_MODULE",
    "LOCAL_HOSTS",
    "OFFLINE_ENVIRONMENT",
    "app_command",
    "check_can_listen",
    "configure",
    "port_number",
    "solara_command",
]

APP_MODULE = "tracktwo.app.app"  # app/app.py, run as a module (as a script, it would shadow the package)
DEFAULT_PORT = 8765
LOCALHOST = "127.0.0.1"
LOCAL_HOSTS = (LOCALHOST, "localhost", "::1")
# Solara settings for a room without internet: JS/CSS come from the solara-assets package (no
# CDN), no usage telemetry, and Mesa's own component does not trip Solara's hook checker.
OFFLINE_ENVIRONMENT = {
    "SOLARA_CHECK_HOOKS": "off",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_ASSETS_PROXY": "True",
    "MPLBACKEND": "Agg",
    "SOLARA_THEME_SHOW_BANNER": "False",
}
# Solara warns, on 127.0.0.1 over plain http, that its session cookie falls back to SameSite=Lax: true, harmless here.
QUIET_COOKIE_WARNING = "ignore:Cookies with samesite=none require https:UserWarning"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo app`'s options."""
    parser.description = (
        "Serve the trainer's app on http://127.0.0.1:PORT with Solara; all assets are served locally, "
        "so it works in a room without internet. Stop it with Ctrl-C."
    )
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help=f"port to serve on (default: {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--host", default=LOCALHOST, help=f"address to listen on (default: {LOCALHOST}, this machine only)"
    )
    parser.set_defaults(handler=app_command)


def port_number(text: str) -> int:
    """An argparse type: a TCP port number."""
    try:
        port = int(text) if text.isascii() and text.isdigit() else -1  # ' 8765', '+80', '8_0': typos
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 1..65535, got {text!r}")
    return port


def check_can_listen(host: str, port: int) -> None:
    """ConfigError (exit 2) if the port is taken or the address is not this machine's: before Solara starts."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:  # ValueError: a NUL in the name
        raise ConfigError(f"--host: {host!r} is not an address of this machine ({error})") from None
    family, kind, protocol, _, address = infos[0]
    with socket.socket(family, kind, protocol) as probe:
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"--port: {port} is already in use on {host} (another app or server?); choose another, e.g. "
                    f"--port {port + 1}"
                ) from None
            raise ConfigError(f"--host/--port: cannot listen on {host}:{port} ({error.strerror or error})") from None


def solara_command(port: int, host: str = LOCALHOST) -> list[str]:
    """The `solara run` command line for the app."""
    solara = shutil.which("solara", path=str(Path(sys.executable).parent)) or shutil.which("solara")
    launcher = [solara] if solara else [sys.executable, "-m", "solara"]
    return [
        *launcher,
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--no-open",
        "--production",
        "--no-check-version",
    ]


def app_command(args: argparse.Namespace) -> int:
    """Replace this process with the Solara server, so stopping it (Ctrl-C, a signal) stops the server."""
    if args.host not in LOCAL_HOSTS:
        try:
            socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError, ValueError):
            check_can_listen(args.host, args.port)  # an address that is no address: one line, no warning first
        print(
            f"tracktwo app: warning: --host {args.host} serves the app to other machines on the network, not only "
            f"this one; leave --host out to keep it on {LOCALHOST}",
            file=sys.stderr,
        )
    check_can_listen(args.host, args.port)
    command = solara_command(args.port, args.host)
    print(f"tracktwo app: serving the trainer's app at http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    os.chdir(PROJECT_ROOT)
    python_path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    warnings = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), QUIET_COOKIE_WARNING]))
    os.execve(
        command[0],
        command,
        {**os.environ, **OFFLINE_ENVIRONMENT, "PYTHONPATH": python_path, "PYTHONWARNINGS": warnings},
    )
    return 0  # not reached
