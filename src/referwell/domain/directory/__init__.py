"""The provider directory, as matching reads it: entries, queries, distances, options."""
