"""`python -m chatwoot_sandbox`: serve the demo world over HTTP with uvicorn."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from chatwoot_sandbox.state import DEFAULT_REQUEST_LOG_SIZE


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="chatwoot_sandbox", description="Serve a Chatwoot-compatible demo API.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3000, help="port to bind; 0 picks a free one (default: 3000)")
    parser.add_argument(
        "--request-log",
        type=int,
        default=DEFAULT_REQUEST_LOG_SIZE,
        metavar="N",
        help=f"keep the last N requests in memory, 0 for none (default: {DEFAULT_REQUEST_LOG_SIZE})",
    )
    parser.add_argument(
        "--webhook-url",
        metavar="URL",
        help="register an account webhook for URL (every default event), as an administrator would; its signing "
        "secret is printed with the banner",
    )
    args = parser.parse_args(argv)
    if args.request_log < 0:
        parser.error("--request-log must be 0 or more")

    import uvicorn  # imported here so that `import chatwoot_sandbox` stays light

    from chatwoot_sandbox import SandboxState, create_app
    from chatwoot_sandbox.serving import banner, listening_socket, url_of

    # Bind first, so that --port 0 can report the port the OS picked before uvicorn starts serving.
    sock = listening_socket(args.host, args.port)
    state = SandboxState.demo(request_log_size=args.request_log)
    text = banner(state, url_of(sock))
    if args.webhook_url:
        from chatwoot_sandbox.seed import DEMO_ACCOUNT_ID
        from chatwoot_sandbox.webhooks import WebhookInvalid, add_webhook

        try:
            webhook = add_webhook(state, DEMO_ACCOUNT_ID, args.webhook_url)
        except WebhookInvalid as invalid:
            sock.close()
            parser.error(f"--webhook-url: {invalid.message}")
        text += f"\nWebhook {webhook.id} -> {webhook.url}, signing secret: {webhook.secret}"
    _announce(text)
    server = uvicorn.Server(uvicorn.Config(create_app(state), log_level="warning"))
    server.run(sockets=[sock])


def _announce(text: str) -> None:
    """Write `text` to stderr in one write, so a reader that takes the first line and closes the pipe cannot
    make a later line of it fail (and end the server); a closed stderr is not a reason to stop serving."""
    data = (text + "\n").encode(sys.stderr.encoding or "utf-8", "backslashreplace")
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (captured in tests)
        print(text, file=sys.stderr, flush=True)
        return
    sys.stderr.flush()
    with contextlib.suppress(BrokenPipeError):
        os.write(fd, data)


if __name__ == "__main__":
    main()
