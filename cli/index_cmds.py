"""Placeholder: commands land here."""

COMMANDS: list = []
