"""Guards: tool functions with typed signatures that hold the safety rules and call the client."""
