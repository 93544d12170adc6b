"""The 50 Meta-World v3 tasks: canonical names and the natural-language text of each task."""

from __future__ import annotations

from genreward.errors import GenRewardError
from genreward.validate import split_list

TASK_TEXTS: dict[str, str] = {
    "assembly-v3": "put the ring on the peg",
    "basketball-v3": "put the ball into the basket",
    "bin-picking-v3": "move the block from one bin into the other bin",
    "box-close-v3": "put the lid on the box",
    "button-press-topdown-v3": "press the button from the top",
    "button-press-topdown-wall-v3": "press the button from the top behind the wall",
    "button-press-v3": "press the button",
    "button-press-wall-v3": "press the button behind the wall",
    "coffee-button-v3": "press the button on the coffee machine",
    "coffee-pull-v3": "pull the mug away from the coffee machine",
    "coffee-push-v3": "push the mug under the coffee machine",
    "dial-turn-v3": "turn the dial",
    "disassemble-v3": "pull the ring off the peg",
    "door-close-v3": "close the door",
    "door-lock-v3": "lock the door by turning the lock",
    "door-open-v3": "open the door",
    "door-unlock-v3": "unlock the door by turning the lock",
    "hand-insert-v3": "put the block into the hole",
    "drawer-close-v3": "close the drawer",
    "drawer-open-v3": "open the drawer",
    "faucet-open-v3": "turn the faucet handle to open it",
    "faucet-close-v3": "turn the faucet handle to close it",
    "hammer-v3": "hammer the nail into the wall",
    "handle-press-side-v3": "press the handle down from the side",
    "handle-press-v3": "press the handle down",
    "handle-pull-side-v3": "pull the handle up from the side",
    "handle-pull-v3": "pull the handle up",
    "lever-pull-v3": "pull the lever up",
    "pick-place-wall-v3": "pick up the puck and place it at the goal behind the wall",
    "pick-out-of-hole-v3": "pick the block out of the hole",
    "pick-place-v3": "pick up the puck and place it at the goal",
    "plate-slide-v3": "slide the plate into the goal",
    "plate-slide-side-v3": "slide the plate sideways into the goal",
    "plate-slide-back-v3": "slide the plate back out of the goal",
    "plate-slide-back-side-v3": "slide the plate sideways back out of the goal",
    "peg-insert-side-v3": "insert the peg into the hole from the side",
    "peg-unplug-side-v3": "unplug the peg from the side",
    "soccer-v3": "kick the ball into the goal",
    "stick-push-v3": "grasp the stick and push the box with it",
    "stick-pull-v3": "grasp the stick and pull the box with it",
    "push-v3": "push the puck to the goal",
    "push-wall-v3": "push the puck to the goal behind the wall",
    "push-back-v3": "pull the puck back to the goal",
    "reach-v3": "reach the goal position",
    "reach-wall-v3": "reach the goal position behind the wall",
    "shelf-place-v3": "pick up the block and place it on the shelf",
    "sweep-into-v3": "sweep the puck into the hole",
    "sweep-v3": "sweep the puck off the table",
    "window-open-v3": "slide the window open",
    "window-close-v3": "slide the window closed",
}

TASKS: tuple[str, ...] = tuple(sorted(TASK_TEXTS))
CAMERAS = ("corner", "corner2", "corner3", "corner4", "topview", "behindGripper", "gripperPOV")

# The five tasks the shipped video model never sees, kept for the generalization benchmark.
HELD_OUT_TASKS: tuple[str, ...] = (
    "door-close-v3",
    "drawer-close-v3",
    "window-close-v3",
    "faucet-close-v3",
    "button-press-wall-v3",
)


class UnknownTaskError(GenRewardError):
    """A task name that is not one of the 50 Meta-World v3 tasks."""


def resolve_task(name: str) -> str:
    """Return the canonical `-v3` name for a short ("door-open") or full ("door-open-v3") name."""
    key = name.strip().lower()
    if not key.endswith("-v3"):
        key = f"{key}-v3"
    if key not in TASK_TEXTS:
        valid = ", ".join(t.removesuffix("-v3") for t in TASKS)
        raise UnknownTaskError(f"unknown Meta-World task {name!r}; valid tasks: {valid}")
    return key


def resolve_tasks(spec: str) -> list[str]:
    """Parse a comma-separated task list ("door-open,drawer-open"); "all" means all 50 tasks."""
    names = split_list(spec, "the task list")
    if not names:
        raise UnknownTaskError("no task given; name one or more tasks, comma-separated, or 'all'")
    if names == ["all"]:
        return list(TASKS)
    return list(dict.fromkeys(resolve_task(n) for n in names))


def check_camera(camera: str) -> None:
    """Refuse a camera name Meta-World does not have."""
    if camera not in CAMERAS:
        raise GenRewardError(f"unknown camera {camera!r}; valid cameras: {', '.join(CAMERAS)}")


def task_text(name: str) -> str:
    """The natural-language instruction for a task, e.g. "open the door"."""
    return TASK_TEXTS[resolve_task(name)]
