// A form marked data-swap-errors shows the server's refusal (a 4xx answer carrying the form again
// with its error) in place, where htmx would otherwise drop it. No inline handlers: the
// Content-Security-Policy forbids them.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    const elt = event.detail.elt;
    const status = event.detail.xhr && event.detail.xhr.status;
    if (elt && elt.closest && elt.closest("[data-swap-errors]") && status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
