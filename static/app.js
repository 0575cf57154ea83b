// Small behaviours around htmx: the modal dialog and dismissible flash messages.
(function () {
  "use strict";

  function modal() { return document.getElementById("modal"); }

  function closeModal() {
    var dialog = modal();
    if (dialog && dialog.open) dialog.close();
  }

  // Content swapped into the modal opens it; focus goes to the first field or button.
  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = modal();
    if (!dialog || !dialog.contains(event.detail.target)) return;
    if (!dialog.querySelector("#modal-content").children.length) { closeModal(); return; }
    if (!dialog.open) dialog.showModal();
    var first = dialog.querySelector("[autofocus], input:not([type=hidden]), select, textarea, button");
    if (first) first.focus();
  });

  // Tab from the dialog's last control goes to its first, Shift+Tab from the first to the last:
  // Chromium's native modal <dialog> would otherwise hand focus to the browser's own UI.
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
                  "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";
  document.addEventListener("keydown", function (event) {
    var dialog = modal();
    if (event.key !== "Tab" || !dialog || !dialog.open) return;
    var controls = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null || el === document.activeElement;
    });
    if (!controls.length) return;
    var first = controls[0], last = controls[controls.length - 1];
    var inside = dialog.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault(); last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault(); first.focus();
    }
  });

  // A response header `HX-Trigger: closeModal` closes it (e.g. after a successful submit).
  document.addEventListener("closeModal", closeModal);

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-close-modal]")) {
      // A "Cancel" link also works as a page without JavaScript; in the open dialog it only closes.
      if (modal() && modal().open) event.preventDefault();
      closeModal();
      return;
    }
    // A click on the backdrop (the <dialog> itself, outside its content) closes it.
    if (target === modal()) { closeModal(); return; }
    var dismiss = target.closest("[data-dismiss-flash]");
    if (dismiss) dismiss.closest(".flash").remove();
  });

  // Emptying the container when the dialog closes (Escape included) keeps stale forms out.
  document.addEventListener("DOMContentLoaded", function () {
    var dialog = modal();
    if (dialog) dialog.addEventListener("close", function () {
      dialog.querySelector("#modal-content").innerHTML = "";
    });
  });

  // ---- Suppliers, products, purchase orders ------------------------------------------------
  // <form data-confirm="…">: ask before a destructive submit (delete buttons).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // [data-soft-limit="30"]: show the block's warning while its input is longer than the limit
  // (allowed here, too long for Xero).
  document.addEventListener("input", function (event) {
    var block = event.target.closest && event.target.closest("[data-soft-limit]");
    if (!block) return;
    var warning = block.querySelector("[data-soft-limit-warning]");
    var limit = parseInt(block.getAttribute("data-soft-limit"), 10);
    if (warning) warning.hidden = event.target.value.trim().length <= limit;
  });

  // Record tabs (Details | Xero): links that work without JavaScript (?tab=), switched in place
  // with it, keeping the URL so a reload shows the same tab.
  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tablist] [role=tab]");
    if (!tab || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    tab.closest("[role=tablist]").querySelectorAll("[role=tab]").forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    });
    window.history.replaceState(null, "", tab.href);
  });

  // "Go back" buttons (error pages): no inline handlers, so the CSP needs no 'unsafe-hashes'.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-go-back]")) window.history.back();
  });

  // Sign-up: <input type="hidden" data-browser-time-zone> gets the browser's IANA zone
  // (e.g. "Pacific/Auckland"), so the new workspace shows times the way its owner reads them.
  // Without Intl the field stays empty and the server uses UTC.
  document.addEventListener("DOMContentLoaded", function () {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone) return;
    document.querySelectorAll("input[type=hidden][data-browser-time-zone]").forEach(function (input) {
      input.value = zone;
    });
  });
})();
