"""What only HTTP serving needs: the SSE and streamable-HTTP apps, health checks, per-user tokens.

Imported only when an HTTP transport is chosen, so stdio start-up never pays for it."""
