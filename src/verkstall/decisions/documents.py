"""The decision letter (beslutsmeddelande, SPEC R1.2) and the PDF writer shared with the order
document (orders/documents.py).

A document is an ordinary Django template rendered to HTML and laid out by WeasyPrint with a
print stylesheet for A4 (page numbers in the page margins). The same HTML can be shown in a
browser, so what the officer sees is what is printed.

`html_to_pdf` lives here rather than in orders because orders depend on decisions and not the
other way round; it loads nothing from outside the document (no network, no files): a template
that points at an image or stylesheet by URL gets nothing, so no personal data can leak
through a fetched URL and rendering never waits on the network.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header

from verkstall.core import hooks
from verkstall.people.models import Protection
from verkstall.people.selectors import listed_person

from .catalogue import LSS, SOL

LETTER_TEMPLATE = "decisions/decision_letter.html"

LAW_NAMES = {
    SOL: "socialtjänstlagen (SoL)",
    LSS: "lagen om stöd och service till vissa funktionshindrade (LSS)",
}


def html_to_pdf(html: str) -> bytes:
    """Lay out an HTML document as PDF. Only `data:` URLs are loaded; anything else is refused."""
    # Imported here: WeasyPrint and Pango take most of a second to load, and only the few
    # requests that produce a document need them.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser (inline). It holds personal data: never cached."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "no-store, private"
    return response


def decision_letter_filename(decision) -> str:
    """The file name of the letter: the decision's number only, never the personnummer."""
    return f"beslut-{decision.pk}.pdf"


def letter_context(decision) -> dict:
    """What the letter says: to the person's address (for a protected client, no address:
    see decisions/decision_letter.html), each granted service with scope,
    frequency, validity and law, the goals of the decision (seed 002), the assessment when
    the routine posts it with the decision (`assessment`), the LOV sentence where free choice
    applies, the appeal information, and how to reach the officer."""
    services = list(decision.services.all())
    lov_services = [s for s in services if s.service_type.lov]
    laws = sorted({s.service_type.law for s in services})
    person = decision.person
    return {
        "decision": decision,
        # Never the address of a protected client (R10.5): the letter is addressed as below.
        "person": listed_person(person),
        "forwarded_by_tax_agency": person.protection == Protection.PROTECTED_REGISTRATION,
        "officer": decision.officer,
        "unit": decision.unit,
        "municipality": decision.municipality,
        "services": services,
        "laws": [LAW_NAMES.get(law, law) for law in laws],
        "lov_services": lov_services,
        "lov_names": _joined([_in_sentence(s.service_type.name) for s in lov_services]),
        "goals": list(decision.goals.all()),
        "assessment": letter_assessment(decision, services),
    }


def letter_assessment(decision, services) -> str:
    """The assessment the letter carries, or "": when the municipality's routine says the
    assessment is posted with the decision (its rule profile's `letter_includes_assessment`,
    seed 002 §Beställning/Uppdrag: "Utredning och beslutsmeddelande postas till den
    enskilde"), for a decision with an assessed service: for a service without needs
    assessment only the message is posted (seed 002 §IUB)."""
    text = decision.assessment_summary.strip()
    if not text or all(s.service_type.unassessed for s in services):
        return ""
    settings = hooks.call(hooks.ROUTINE_SETTINGS, municipality=decision.municipality)
    return text if settings.get("letter_includes_assessment") else ""


def render_letter_html(decision) -> str:
    with translation.override("sv"):
        return render_to_string(LETTER_TEMPLATE, letter_context(decision))


def render_letter_pdf(decision) -> bytes:
    return html_to_pdf(render_letter_html(decision))


def _in_sentence(name: str) -> str:
    """A catalogue name inside a sentence: "Hemtjänst – städ" -> "hemtjänst – städ", but
    "Daglig verksamhet LSS" keeps its LSS."""
    return name[:1].lower() + name[1:]


def _joined(names: list[str]) -> str:
    """ "a", "a och b", "a, b och c"."""
    unique = list(dict.fromkeys(names))
    if len(unique) <= 1:
        return "".join(unique)
    return f"{', '.join(unique[:-1])} och {unique[-1]}"
