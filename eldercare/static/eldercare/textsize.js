// The A− / A / A+ buttons: with JavaScript the size changes at once, without a page load; the
// cookie carries the choice to the server, which renders it on <html> for the next pages. Without
// JavaScript the buttons send their form, and the server sets the same cookie.
(function () {
  "use strict";
  const SIZES = ["small", "normal", "large"];
  const YEAR = 365 * 24 * 60 * 60;

  document.addEventListener("click", function (event) {
    const button = event.target.closest ? event.target.closest("#textsize-form button[name=size]") : null;
    if (!button || SIZES.indexOf(button.value) < 0) return;
    event.preventDefault();
    const secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "textsize=" + button.value + "; path=/; max-age=" + YEAR + "; SameSite=Lax" + secure;
    const root = document.documentElement;
    SIZES.forEach(function (size) { root.classList.remove("textsize-" + size); });
    root.classList.add("textsize-" + button.value);
    button.form.querySelectorAll("button[name=size]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
  });
})();
