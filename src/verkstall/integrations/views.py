"""The unit manager's screens for the provider's own systems (issue 20 items 2 and 3)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from verkstall.core.views import run_form

from . import client_services, selectors, webhook_services
from .forms import ActiveForm, ClientForm, KeyForm, ReplayForm, WebhookForm


def _client(request, pk):
    client = selectors.clients_for(request.user).filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


def _endpoint(request, pk):
    endpoint = selectors.endpoints_for(request.user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


def _list_page(request, *, form=None, webhook_form=None, webhook_for=None, status=200):
    client_services.require_manager(request.user)
    clients = []
    for client in selectors.clients_for(request.user):
        hook_form = webhook_form if webhook_for and webhook_for.pk == client.pk else None
        hook_form = hook_form or WebhookForm(auto_id=f"id_hook{client.pk}_%s")
        clients.append(
            (client, list(selectors.keys_of(client)), list(client.webhooks.all()), hook_form)
        )
    context = {"clients": clients, "form": form or ClientForm()}
    return render(request, "integrations/client_list.html", context, status=status)


@login_required
def client_list(request):
    return _list_page(request)


def _shown_once(request, *, title, client, secret, what):
    context = {"title": title, "client": client, "secret": secret, "what": what}
    return render(request, "integrations/shown_once.html", context)


@login_required
@require_POST
def client_create(request):
    form = ClientForm(request.POST)
    made = {}

    def create(data):
        made["client"], made["key"] = client_services.create_client(
            request.user, name=data["name"], can_write=data["can_write"], days=data["days"]
        )

    if run_form(request, form, create, redirect_to="integrations") is None:
        return _list_page(request, form=form, status=400)
    return _shown_once(
        request,
        title=_("API-klienten är skapad"),
        client=made["client"],
        secret=made["key"],
        what="key",
    )


@login_required
@require_POST
def client_key_create(request, pk):
    client = _client(request, pk)
    form = KeyForm(request.POST)
    made = {}

    def issue(data):
        made["token"], made["key"] = client_services.issue_client_key(
            request.user, client, days=data["days"]
        )

    if run_form(request, form, issue, redirect_to="integrations") is None:
        return _list_page(request, status=400)
    return _shown_once(request, title=_("Ny nyckel"), client=client, secret=made["key"], what="key")


@login_required
@require_POST
def client_key_revoke(request, pk, token_pk):
    client = _client(request, pk)
    client_services.revoke_client_key(request.user, client, token_id=token_pk)
    return redirect("integrations")


@login_required
@require_POST
def client_end(request, pk):
    client_services.end_client(request.user, _client(request, pk))
    return redirect("integrations")


@login_required
@require_POST
def webhook_create(request, pk):
    client = _client(request, pk)
    form = WebhookForm(request.POST, auto_id=f"id_hook{client.pk}_%s")
    made = {}

    def register(data):
        made["endpoint"], made["secret"] = webhook_services.register_webhook(
            request.user, client, url=data["url"], from_start=data["from_start"]
        )

    if run_form(request, form, register, redirect_to="integrations") is None:
        return _list_page(request, webhook_form=form, webhook_for=client, status=400)
    return _shown_once(
        request,
        title=_("Webhooken är registrerad"),
        client=client,
        secret=made["secret"],
        what="secret",
    )


@login_required
def webhook_detail(request, pk):
    endpoint = _endpoint(request, pk)
    deliveries = list(selectors.deliveries_of(endpoint))
    return render(
        request,
        "integrations/webhook_detail.html",
        {"endpoint": endpoint, "deliveries": deliveries},
    )


@login_required
@require_POST
def webhook_replay(request, pk):
    endpoint = _endpoint(request, pk)
    form = ReplayForm(request.POST)
    done = run_form(
        request,
        form,
        lambda data: webhook_services.replay(request.user, endpoint, delivery_id=data["delivery"]),
        success_message=_("Händelserna skickas igen vid nästa leveransomgång."),
        redirect_to=lambda _result: redirect("webhook-detail", pk=endpoint.pk),
        error_message=True,
    )
    return done or redirect("webhook-detail", pk=endpoint.pk)


@login_required
@require_POST
def webhook_active(request, pk):
    endpoint = _endpoint(request, pk)
    form = ActiveForm(request.POST)
    done = run_form(
        request,
        form,
        lambda data: webhook_services.set_active(request.user, endpoint, active=data["active"]),
        redirect_to=lambda _result: redirect("webhook-detail", pk=endpoint.pk),
    )
    return done or redirect("webhook-detail", pk=endpoint.pk)
