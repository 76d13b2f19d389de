"""Thin views, one module per area: each reads the request, calls a service, renders."""
