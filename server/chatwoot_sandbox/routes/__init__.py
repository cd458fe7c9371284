"""The endpoints: one module per Chatwoot area, as the client's resources are split, and the route table in `table`.

Each handler receives a `Context` (already authenticated and account-checked) and returns a response; the server's
error cases are raised as `ApiError`/`ServerError`. The comments name the Rails controller action being copied.
"""
