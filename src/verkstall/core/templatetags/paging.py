"""`{% sort_header paging "key" label %}`: a list's column header as a sort link with its
`aria-sort` (core/paging.py, issue 17 item 5); a plain header where the list is not paged or
the column does not sort, so one table template serves paged and unpaged lists alike."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("core/_sort_header.html")
def sort_header(paging, key: str, label):
    if not paging or key not in getattr(paging, "sortable", ()):
        return {"label": label, "url": "", "aria_sort": ""}
    return {"label": label, "url": paging.sort_url(key), "aria_sort": paging.aria_sort(key)}
