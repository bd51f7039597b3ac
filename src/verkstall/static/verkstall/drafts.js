// Drafts of long text fields (issue 17 item 1; drafts/forms.py). htmx posts a field's text a
// second after typing stops and swaps in "Utkast sparat kl. ..." beside it. This script:
// - swaps in the endpoint's own 400 answer (a text too long), which htmx would leave out, and
//   nothing that is not the endpoint's answer (the login page after the session ended): then,
//   as when the request could not be sent at all, the region says the draft was not saved;
// - after "Släng utkastet", puts the field's value from before the draft back;
// - warns before leaving a page whose form with drafts has changes not yet saved, but not when
//   that form is being submitted (and then sends no more drafts of it).
(function () {
  const FRAGMENT_HEADER = "X-Verkstall-Draft";
  const dirty = new Set();

  function draftForm(element) {
    const form = element && element.form;
    return form && form.querySelector("textarea[data-draft]") ? form : null;
  }

  function regionOf(element) {
    const id = element.getAttribute("data-draft") || element.getAttribute("hx-target");
    return id ? document.getElementById(id.replace(/^#/, "")) : null;
  }

  function notSaved(element) {
    const region = regionOf(element);
    if (region) region.textContent = region.getAttribute("data-draft-failed") || "";
  }

  // The element that made the request (htmx fires some events on the swap's target instead).
  function requester(event) {
    const config = event.detail.requestConfig;
    return (config && config.elt) || event.detail.elt;
  }

  function isDraftRequest(element) {
    if (!element || !element.hasAttribute) return false;
    return element.hasAttribute("data-draft") || element.hasAttribute("data-draft-discard");
  }

  document.addEventListener("input", (event) => {
    const form = draftForm(event.target);
    if (form) dirty.add(form);
  });

  document.addEventListener("submit", (event) => {
    if (event.defaultPrevented) return;
    const form = event.target;
    dirty.delete(form);
    form.querySelectorAll("textarea[data-draft]").forEach((textarea) => {
      textarea.setAttribute("data-draft-submitted", "");
    });
  });

  window.addEventListener("beforeunload", (event) => {
    if (Array.from(dirty).some((form) => form.isConnected)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // A draft typed just before the form was sent must not arrive after the save removed it.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const element = event.detail.elt;
    if (element && element.hasAttribute("data-draft-submitted")) event.preventDefault();
  });

  function textareaOf(element) {
    if (element.hasAttribute("data-draft")) return element;
    return document.getElementById(element.getAttribute("data-draft-discard"));
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    const element = requester(event);
    if (!isDraftRequest(element)) return;
    const xhr = event.detail.xhr;
    if (xhr.getResponseHeader(FRAGMENT_HEADER) !== "1") {
      event.detail.shouldSwap = false;
      notSaved(textareaOf(element) || element);
      return;
    }
    if (xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (xhr.status === 200 && element.hasAttribute("data-draft-discard")) {
      // Discarded: the field's value from before the draft (as the page first showed it).
      const textarea = textareaOf(element);
      if (textarea) {
        const original = textarea.getAttribute("data-draft-original");
        textarea.value = original !== null ? original : textarea.defaultValue;
      }
    }
  });

  document.addEventListener("htmx:sendError", (event) => {
    const element = requester(event);
    if (isDraftRequest(element)) notSaved(textareaOf(element) || element);
  });
})();
