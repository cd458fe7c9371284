"""What a host renders (MCP Apps, `io.modelcontextprotocol/ui`): the ui:// views of the queue, a conversation with
its reply composer and a report, self-contained HTML with the host bridge inline, and the app-only tools they call."""
