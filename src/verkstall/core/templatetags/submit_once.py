"""`{% submit_once %}`: a create form is saved once (issue 18 item 1).

Inside a create form's <form>, it renders a hidden one-time token, new at every rendering. The
first successful POST with it keeps the token with where it led (audit/form_once.py); the same
form sent again (a double click, a reload that posts again, back and submit) is sent there
again with "Redan sparat" instead of creating a second record. The browser side
(static/verkstall/submit_once.js) disables the submit button after the first submit and, on a
page reached by back or forward, gives the form back the token it was sent with.
"""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html

register = template.Library()

#: The hidden input's name.
ONCE_FIELD = "form_token"


def new_token() -> str:
    return secrets.token_hex(16)


@register.simple_tag
def submit_once() -> str:
    return format_html(
        '<input type="hidden" name="{}" value="{}" data-submit-once>', ONCE_FIELD, new_token()
    )
