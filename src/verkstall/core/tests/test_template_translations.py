"""A `{% blocktranslate %}` block prints only plain names: `{{ channel|lower }}` or
`{{ order.pk }}` inside one is not an error but prints nothing, which is how the history of a
reply registered on a provider's behalf came to end "...räkning, via" (issue 17 item 10).
Filters and attributes belong in the block's `with`."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

TEMPLATES = Path(settings.BASE_DIR) / "templates"
BLOCK = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S)
NOT_A_NAME = re.compile(r"{{\s*[\w]+[.|][^}]*}}")

#: Templates this check knows to fail, each kept here only until it is fixed (the test below
#: fails when one of them no longer does, so that the entry is removed).
KNOWN: set[str] = set()


def offenders() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        for block in BLOCK.finditer(path.read_text(encoding="utf-8")):
            for bad in NOT_A_NAME.findall(block.group(1)):
                found.setdefault(path.relative_to(TEMPLATES).as_posix(), []).append(bad)
    return found


def test_the_rule_holds_in_django():
    """Why the check exists: a filter inside the block prints nothing."""
    text = (
        "{% load i18n %}{% blocktranslate with c=channel %}via {{ c|lower }}{% endblocktranslate %}"
    )
    assert Template(text).render(Context({"channel": "Fax"})) == "via "


def test_no_template_uses_a_filter_or_attribute_inside_blocktranslate():  # issue 17 item 10
    found = offenders()
    assert {name: bad for name, bad in found.items() if name not in KNOWN} == {}
    assert set(found) >= KNOWN, f"fixed, remove from KNOWN: {KNOWN - set(found)}"
