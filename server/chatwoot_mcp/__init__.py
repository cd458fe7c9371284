"""chatwoot-mcp: an MCP server that lets agents work Chatwoot conversations safely."""

__version__ = "0.1.0"
