"""What comes back from a tool: compact, token-cheap results, as structured output and one short text block."""
