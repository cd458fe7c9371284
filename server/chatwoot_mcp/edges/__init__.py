"""What every tool call passes through on the way in and out: its arguments checked, customer text marked
untrusted, secrets scrubbed, failures told as refused or unknown, progress reported."""
