// A create form is sent once (issue 18 item 1). A form with a one-time token
// ({% submit_once %}, core/templatetags/submit_once.py) is not sent again while its first submit
// is on its way: a second click does nothing and the buttons are disabled. The server refuses to
// save a token twice (audit/form_once.py); this side keeps a double click from even asking.
// On a page reached by back or forward the buttons work again, and the form gets back the token
// it was sent with from this tab, so that sending it again leads to what was saved ("Redan
// sparat") instead of saving it twice. A form opened anew (a link, a menu) has a new token.
(function () {
  const TOKEN = "input[data-submit-once]";
  const BUTTONS = "button:not([type]), button[type=submit], input[type=submit]";

  function key(form, index) {
    return "submit-once:" + location.pathname + ":" + index + ":" + (form.getAttribute("action") || "");
  }

  function onceForms() {
    return Array.from(document.querySelectorAll("form")).filter((form) => form.querySelector(TOKEN));
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.querySelector(TOKEN)) return;
    if (form.dataset.submitted === "true") {
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented) return; // another handler (htmx) sends it, or stopped it
    form.dataset.submitted = "true";
    try {
      const index = Array.from(document.forms).indexOf(form);
      sessionStorage.setItem(key(form, index), form.querySelector(TOKEN).value);
    } catch (error) {
      // No storage (a private window's limits): the server still saves the token once.
    }
    // Disabled after this turn: a submit button disabled now would leave its name and value
    // out of what the form sends.
    setTimeout(() => {
      form.querySelectorAll(BUTTONS).forEach((button) => {
        button.disabled = true;
      });
    }, 0);
  });

  window.addEventListener("pageshow", (event) => {
    const entry = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    const backOrForward = event.persisted || (entry && entry.type === "back_forward");
    onceForms().forEach((form) => {
      delete form.dataset.submitted;
      form.querySelectorAll(BUTTONS).forEach((button) => {
        button.disabled = false;
      });
      if (!backOrForward) return;
      try {
        const index = Array.from(document.forms).indexOf(form);
        const sent = sessionStorage.getItem(key(form, index));
        if (sent) form.querySelector(TOKEN).value = sent;
      } catch (error) {
        // No storage: the form keeps the token it was rendered with.
      }
    });
  });
})();
