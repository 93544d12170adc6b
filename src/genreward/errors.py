"""The project's error type: the CLI prints these as one clear message and exits non-zero."""

import re


class GenRewardError(Exception):
    """An error caused by bad input or a missing capability, with a message that says what to do."""


def usage_error_line(text: str) -> str:
    """The message of a command-line parsing error (tyro prints it in a box) as one line, with
    the options it suggests and where the help is."""
    lines = [raw.strip().strip("│╭╰").strip() for raw in text.splitlines()]
    message: list[str] = []
    for line in lines:
        if "──" in line:  # a rule: the message, which follows the top border, has ended
            if message:
                break
            continue
        if line and not line.startswith("usage"):
            message.append(line)
    found = " ".join(message) or "bad command-line options"
    if "Perhaps you meant:" in lines:
        after = lines[lines.index("Perhaps you meant:") + 1 :]
        options = dict.fromkeys(line.split()[0] for line in after if line.startswith("--"))
        found += f"; perhaps you meant {', '.join(options)}"
    helps = [match for line in lines for match in re.findall(r"genreward[\w -]*--help", line)]
    return found + (f" (see {helps[-1]})" if helps else "")
