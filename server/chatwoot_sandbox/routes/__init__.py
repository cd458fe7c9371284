"""The endpoints: one module per Chatwoot area, as the client's resources are split, and the route table in `table`."""
