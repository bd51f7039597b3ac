"""Malformed input refused before any view reads it (issue 11): a NUL character in the address
or a posted form, and JSON nested deeper than any request of this API needs.

Both were 500s: PostgreSQL refuses a NUL in a string literal ("A string literal cannot contain
NUL (0x00) characters"), which every filter and search that reads a raw parameter passed on,
and Python's JSON decoder recurses once per level and ran out of stack at about 1 000. Each is
now a 400 in one place:

* `RefuseNulMiddleware` (settings.MIDDLEWARE) checks the path, every query parameter (name and
  value) and every field of a posted form (urlencoded; multipart on the screens). A screen
  gets the 400 page naming the field, the API `{"<field>": ["..."]}` like every other
  validation error. The API's multipart fields are checked by the serializers that read them
  (DRF's CharField refuses a NUL: ProhibitNullCharactersValidator), so that an upload's body
  is not parsed before the view.
* `DepthLimitedJSONParser` (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]) refuses a body nested
  deeper than `MAX_JSON_DEPTH` before decoding it: 400 `{"detail": "..."}`.
"""

from __future__ import annotations

import codecs
import re
from itertools import accumulate
from json import JSONDecodeError

from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.utils import json

NUL = "\x00"
NUL_MESSAGE = "Värdet får inte innehålla NUL-tecken (\\x00)."
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MULTIPART_CONTENT_TYPE = "multipart/form-data"

# The deepest request body of the API is three levels (`services[0].scope_unit`); 64 leaves room
# for any client's wrapping and stays far from the decoder's recursion limit.
MAX_JSON_DEPTH = 64
DEPTH_MESSAGE = f"JSON-dokumentet är för djupt nästlat (högst {MAX_JSON_DEPTH} nivåer)."

# A string (possessive, and to the end of the text if it is not closed, so that the scan is
# linear whatever the input), and what is not a bracket.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}.__getitem__


def _form_body_checked(request) -> bool:
    """An urlencoded body everywhere; a multipart one on the screens only, whose POST Django's
    CSRF check reads before the view anyway. The API's multipart fields reach the view through
    serializers, whose CharField refuses a NUL, and its uploads are parsed by the view."""
    if request.content_type == FORM_CONTENT_TYPE:
        return True
    return request.content_type == MULTIPART_CONTENT_TYPE and not request.path.startswith("/api/")


def _nul_field(request) -> str | None:
    """The name of the first place that holds a NUL, or None."""
    if NUL in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and _form_body_checked(request):
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            if NUL in key or any(NUL in value for value in values):
                return key.replace(NUL, "")[:100]
    return None


class RefuseNulMiddleware:
    """400 for a NUL character in the path, the query string or an urlencoded form body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _nul_field(request)
        if field is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({field: [NUL_MESSAGE]}, status=400)
        context = {"field": field, "message": NUL_MESSAGE}
        return render(request, "core/bad_request.html", context, status=400)


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of a JSON text nest, in linear time; brackets inside
    strings do not count."""
    brackets = _NOT_A_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP, brackets)), default=0)


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser, refusing a body nested deeper than MAX_JSON_DEPTH with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            if json_depth(text) > MAX_JSON_DEPTH:
                raise ParseError(DEPTH_MESSAGE)
            parse_constant = json.strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError:  # behind the depth check; not expected
            raise ParseError(DEPTH_MESSAGE) from None
        except UnicodeDecodeError:
            raise ParseError("Ogiltig teckenkodning i JSON: skicka UTF-8.") from None
        except ValueError as exc:  # as DRF's own parser
            where = (
                f" (rad {exc.lineno}, kolumn {exc.colno})"
                if isinstance(exc, JSONDecodeError)
                else ""
            )
            raise ParseError(f"Ogiltig JSON{where}.") from None
