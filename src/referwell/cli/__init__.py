"""The `referwell` command: one group per area; a command parses arguments and calls a service."""
