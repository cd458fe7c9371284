"""`python -m chatwoot_sandbox`: serve the demo world over HTTP with uvicorn."""

from __future__ import annotations

import argparse
import socket
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="chatwoot_sandbox", description="Serve a Chatwoot-compatible demo API.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="port to bind; 0 picks a free one (default: 3000)")
    args = parser.parse_args(argv)

    import uvicorn  # imported here so that `import chatwoot_sandbox` stays light

    from chatwoot_sandbox import ADMIN_TOKEN, create_app

    # Bind first, so that --port 0 can report the port the OS picked before uvicorn starts serving.
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)  # connections made right after the banner wait in the backlog instead of being refused
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"chatwoot_sandbox serving http://{host}:{port} (api_access_token: {ADMIN_TOKEN})", file=sys.stderr)
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
