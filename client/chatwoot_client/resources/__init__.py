"""One module per Chatwoot area; each holds the async and sync resource side by side."""
