"""The project's error type: the CLI prints these as one clear message and exits non-zero."""


class GenRewardError(Exception):
    """An error caused by bad input or a missing capability, with a message that says what to do."""
