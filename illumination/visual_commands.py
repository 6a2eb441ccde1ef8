"""Subcommands that draw: filled in by the Network exhibit."""


def register(commands, add_training_flags, add_view_flags, size_type, positive_float, count_type):
    return None
