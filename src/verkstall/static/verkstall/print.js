// The print view's "Skriv ut" button (orders/order_pdf.html); a file, since the CSP forbids inline handlers.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
