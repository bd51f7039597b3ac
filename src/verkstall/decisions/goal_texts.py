"""The goals of a decision as the officer writes them (seed 002 §Social dokumentation: "hur
målen i beslutet har uppnåtts"): one goal a line on the screen, a list of texts in the API.
Pure: the texts in, the cleaned texts or a Swedish error out."""

from __future__ import annotations

MAX_GOALS = 20
MAX_GOAL_LENGTH = 1000


def goal_lines(text: str | None) -> list[str]:
    """The goals of a text field, one a line; blank lines are not goals."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def clean_goals(values) -> tuple[list[str], str | None]:
    """The goals as stored (stripped, blank ones left out, in the order given), or the error.
    None is no goals; a single text is read one goal a line."""
    if values is None:
        return [], None
    if isinstance(values, str):
        values = goal_lines(values)
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        return [], "Ange målen som en lista av texter."
    goals = [v.strip() for v in values if v.strip()]
    if len(goals) > MAX_GOALS:
        return [], f"Högst {MAX_GOALS} mål i ett beslut."
    if any(len(g) > MAX_GOAL_LENGTH for g in goals):
        return [], f"Ett mål får vara högst {MAX_GOAL_LENGTH} tecken."
    return goals, None
