// A form whose button carries data-confirm asks before it is sent (no inline handlers: the
// Content-Security-Policy forbids them). A form sent by POST then shows its buttons busy (disabled,
// with a spinner) until the answer comes, so a slow request is not sent twice.
(function () {
  "use strict";
  const BUTTONS = "button:not([type=button]), input[type=submit]";

  function busy(button, on) {
    button.disabled = on;
    button.setAttribute("aria-busy", on ? "true" : "false");
    const spinner = button.querySelector(".spinner-border");
    if (on && !spinner) {
      const span = document.createElement("span");
      span.className = "spinner-border spinner-border-sm me-1";
      span.setAttribute("aria-hidden", "true");
      button.prepend(span);
    } else if (!on && spinner) {
      spinner.remove();
    }
  }

  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const text = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (text && !window.confirm(text)) {
      event.preventDefault();
      return;
    }
    const form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    // After the browser has read the form (a disabled button would not be sent with it).
    window.setTimeout(function () {
      form.querySelectorAll(BUTTONS).forEach(function (b) { busy(b, true); });
    }, 0);
  });

  function release(root) {
    root.querySelectorAll("[aria-busy=true]").forEach(function (b) { busy(b, false); });
  }
  // An htmx form stays on the page: free its buttons when its answer has come.
  document.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt.closest ? event.detail.elt.closest("form") || event.detail.elt : document;
    release(form);
  });
  // Back to a page kept by the browser (a download, the back button): its buttons work again.
  window.addEventListener("pageshow", function () { release(document); });
})();
