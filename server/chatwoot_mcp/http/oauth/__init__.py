"""`--auth oauth`: the server as its own OAuth 2.1 authorization server, for hosts that connect only through OAuth
(Claude and ChatGPT custom connectors): discovery, client registration (dynamic and by metadata document), a
consent page where users sign in to Chatwoot, codes and tokens of our own, and the bearer check on /mcp."""
