// A form whose button carries data-confirm asks before it is sent (no inline handlers: the
// Content-Security-Policy forbids them).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const button = event.submitter;
    const text = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (text && !window.confirm(text)) event.preventDefault();
  });
})();
