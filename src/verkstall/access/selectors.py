"""Reads of users for set-up code (demo data, imports): not scoped to a viewer."""

from __future__ import annotations

from .models import User


def user_exists(username: str) -> bool:
    return User.objects.filter(username=username).exists()


def first_user(**filters) -> User | None:
    return User.objects.filter(**filters).order_by("id").first()
