"""What happened in Chatwoot: signed webhooks verified and recorded, the bounded event stream behind the shared
state, polling where no webhook can reach the server, and the notifications and completions that follow."""
