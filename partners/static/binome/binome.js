// Copy buttons: <button data-copy-target="id"> copies the text of the element with that id.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var target = document.getElementById(button.getAttribute("data-copy-target"));
  if (!target || !navigator.clipboard) return;
  navigator.clipboard.writeText(target.textContent.trim()).then(function () {
    button.textContent = "Résumé copié";
  });
});

// Print buttons: <button data-print> opens the browser's print dialog (an inline onclick would be
// blocked by the Content-Security-Policy, script-src 'self').
document.addEventListener("click", function (event) {
  if (!event.target.closest("[data-print]")) return;
  window.print();
});

// A table wider than its box scrolls (DSFR .fr-table): keyboard users must be able to reach it to
// scroll it (RGAA 7.3, axe « scrollable-region-focusable »), so it joins the tab order then.
function binomeFocusableTables() {
  document.querySelectorAll(".fr-table > table").forEach(function (table) {
    if (table.scrollWidth > table.clientWidth + 1) {
      table.setAttribute("tabindex", "0");
    } else if (table.getAttribute("tabindex") === "0") {
      table.removeAttribute("tabindex");
    }
  });
}
binomeFocusableTables();
window.addEventListener("load", binomeFocusableTables);
window.addEventListener("resize", binomeFocusableTables);

// A document just handed over (« Imprimer et remettre », journaled by the server): the page comes
// back with data-autoprint and opens the print dialog once.
window.addEventListener("load", function () {
  if (document.querySelector("[data-autoprint]")) window.print();
});
