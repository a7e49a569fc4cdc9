"""Plumbing shared by every service: configuration, store, broker, logs, errors, health."""
