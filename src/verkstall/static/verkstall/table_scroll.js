// Wide tables on narrow screens (issue 17 item 11): every table sits in a div.table-scroll that
// scrolls sideways on its own (site.css). A keyboard user can scroll it only by focusing
// something in it, so a box that overflows and holds nothing focusable becomes a tab stop
// itself, named by the table's caption where it has one (WCAG 2.1.1, axe
// `scrollable-region-focusable`). A box that fits is left alone, so wide screens get no extra
// tab stops. Without JavaScript the table still scrolls.
(function () {
  const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])';
  let counter = 0;

  function update(box) {
    const added = box.dataset.tableScrollStop !== undefined;
    const overflows = box.scrollWidth > box.clientWidth + 1;
    const needsStop = overflows && !box.querySelector(FOCUSABLE);
    if (needsStop && !added && !box.hasAttribute("tabindex")) {
      box.dataset.tableScrollStop = "";
      box.setAttribute("tabindex", "0");
      const caption = box.querySelector("caption");
      if (caption) {
        if (!caption.id) caption.id = "table-scroll-caption-" + ++counter;
        box.setAttribute("role", "region");
        box.setAttribute("aria-labelledby", caption.id);
      }
    } else if (!needsStop && added) {
      delete box.dataset.tableScrollStop;
      ["tabindex", "role", "aria-labelledby"].forEach((name) => box.removeAttribute(name));
    }
  }

  function updateAll() {
    document.querySelectorAll(".table-scroll").forEach(update);
  }

  let pending = false;
  function later() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      updateAll();
    });
  }

  updateAll();
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSwap", later);
})();
