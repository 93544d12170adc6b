"""The project's error type: the CLI prints these as one clear message and exits non-zero."""


class GenRewardError(Exception):
    """An error caused by bad input or a missing capability, with a message that says what to do."""


def usage_error_line(text: str) -> str:
    """The message of a command-line parsing error (tyro prints it in a box) as one line."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip().strip("│╭╰").strip()
        if "──" in line:  # a rule: the message, which follows the top border, has ended
            if lines:
                break
            continue
        if line and not line.startswith("usage"):
            lines.append(line)
    return " ".join(lines) or "bad command-line options"
