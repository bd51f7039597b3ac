"""The isolation proof's drafts (issue 17 item 1; drafts/): in each municipality of a generated
world an officer types a case-journal note and a provider's staff a note in its journal of an
order, and leaves them unsaved; the draft endpoint keeps them, each text a canary.

A draft is its author's alone. The author's screen must show it again (so the check is not
vacuous); no other user's screen may ever hold it: not the colleague of the same unit or
provider, who opens the very same form (its draft checked here, as `extra` of the scan), and
not anybody outside the client's scope (the canary is the client's, so the oracle forbids it
there in every later body too). Another user who posts to the author's key either is refused
(outside the object's scope: 403 or 404, and nothing stored) or writes a draft of their own that
never replaces the author's. Mixed into tooling/isolation_checker.Checker."""

from __future__ import annotations

from dataclasses import dataclass

from verkstall.access.roles import Role
from verkstall.tooling import canaries
from verkstall.tooling.isolation_records import CanaryRec
from verkstall.tooling.isolation_stats import DETAIL

SAVE_ENDPOINT = "drafts/{kind}/{pk}/{field}/"
PAGES = {
    "case-journal": "clients/{person_pk}/journal/",
    "provider-journal": "orders/{order_pk}/provider-journal/",
}


@dataclass(frozen=True)
class PlantedDraft:
    author: object
    colleague: object  # another user who opens the same form
    kind: str
    pk: int
    field: str
    page: str
    token: str

    @property
    def template(self) -> str:
        """The page's route, as the figures count screens."""
        return PAGES[self.kind]


class DraftWalks:
    """The checker's drafts: planted through the endpoint, then looked for as other users."""

    def _post_draft(self, user, draft: PlantedDraft, text: str):
        url = f"/drafts/{draft.kind}/{draft.pk}/{draft.field}/"
        return self._call(
            user,
            "post",
            url,
            {draft.field: text},
            endpoint=SAVE_ENDPOINT,
            screen=True,
            htmx=True,
            context=DETAIL,
        )

    def _draft_targets(self) -> list[PlantedDraft]:
        """Per municipality: a case-journal note of a client of its first unit, and a provider
        journal note of a sent order of a connected provider."""
        found = []
        officers = [u for u in self.w.users if u.role_enum == Role.OFFICER]
        managers = [u for u in self.w.users if u.role_enum == Role.PROVIDER_MANAGER]
        for muni in self.w.municipalities():
            unit = self.w.units_of(muni)[0]
            author = self.w.officers[unit]
            colleague = next(u for u in officers if u.unit_id == unit and u.pk != author.pk)
            person = next((p for p, (_m, u) in self.w.persons.items() if u == unit), None)
            if person is not None:
                page = f"/clients/{person}/journal/"
                token = canaries.token(self.rng, f"d{muni}")
                found.append(
                    PlantedDraft(
                        author, colleague, "case-journal", person, "note-text", page, token
                    )
                )
            for pk, rec in sorted(self.w.orders.items()):
                staff = self.w.provider_staff.get(rec.provider)
                if rec.muni != muni or not rec.sent or not self.w.connected[rec.provider]:
                    continue
                manager = next(u for u in managers if u.provider_id == rec.provider)
                page = f"/orders/{pk}/provider-journal/"
                token = canaries.token(self.rng, f"d{muni}")
                found.append(
                    PlantedDraft(staff, manager, "provider-journal", pk, "text", page, token)
                )
                break
        return found

    def drafts_walk(self) -> int:
        """Plant the drafts, then read and write them as other users; returns the requests."""
        from verkstall.drafts.selectors import own_drafts

        planted = []
        requests = 0
        for draft in self._draft_targets():
            response = self._post_draft(draft.author, draft, draft.token)
            requests += 1
            if response is None or response.status_code != 200:
                status = getattr(response, "status_code", None)
                self.stats.errors.append(f"draft {draft.kind}:{draft.pk} not stored: {status}")
                continue
            self.stats.writes_done += 1
            order = draft.pk if draft.kind == "provider-journal" else None
            person = self.w.orders[order].person if order else draft.pk
            self.w.canaries.append(CanaryRec(draft.token, "draft", person, order=order))
            planted.append(draft)
        self.oracle.clear()
        for draft in planted:
            others = [u for u in self.w.users if u.pk not in (draft.author.pk, draft.colleague.pk)]
            stranger = self.rng.choice(others)
            # The author gets it back; the colleague and a stranger never see it.
            shown = self._call(
                draft.author, "get", draft.page, endpoint=draft.template, screen=True
            )
            requests += 1
            if shown is not None and draft.token not in shown.content.decode():
                self.stats.errors.append(f"{draft.page}: the author's draft is not put back")
            for reader in (draft.colleague, stranger):
                extra = {draft.token: f"the draft of user {draft.author.pk}"}
                self._call(
                    reader, "get", draft.page, endpoint=draft.template, screen=True, extra=extra
                )
                requests += 1
            # Writing to the author's key: refused outside the object's scope, else the
            # writer's own draft; the author's stays as it was.
            for writer in (draft.colleague, stranger):
                text = canaries.token(self.rng, "dw")
                response = self._post_draft(writer, draft, text)
                requests += 1
                if response is None:
                    continue
                stored = own_drafts(writer, kind=draft.kind, pk=draft.pk).exists()
                if response.status_code in (403, 404):
                    self.stats.outside_refused += 1
                    if stored:
                        self._crossing(writer, f"refused draft on {draft.kind}:{draft.pk} stored")
                elif response.status_code != 200 or not stored:
                    self.stats.errors.append(f"draft by {writer.username}: {response.status_code}")
                mine = own_drafts(draft.author, kind=draft.kind, pk=draft.pk)
                if list(mine.values_list("text", flat=True)) != [draft.token]:
                    self._crossing(writer, f"changed the draft of {draft.kind}:{draft.pk}")
        return requests
