"""One function per use case, shared by the web UI, the JSON API and the CLI."""
