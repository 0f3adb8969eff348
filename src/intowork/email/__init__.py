"""E-mail delivery: templates, the outbox worker and its backends (console, file, SMTP, Resend)."""
