// Forms (issue 17 item 2). The server reports every error of a form at once, with a summary at
// the top (core/templatetags/form_errors.py), so the browser's own checks, which stop at the
// first empty required field, are turned off; after a submit with errors the focus goes to the
// summary, on a whole page and in a part of the page that htmx swapped in.
(function () {
  function withinAndSelf(root, selector) {
    const found = Array.from(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  function prepare(root) {
    withinAndSelf(root, "form").forEach((form) => {
      form.noValidate = true;
    });
    const summary = withinAndSelf(root, "[data-error-summary]")[0];
    if (summary) summary.focus();
  }

  prepare(document);
  document.addEventListener("htmx:afterSwap", (event) => prepare(event.detail.target));
})();
