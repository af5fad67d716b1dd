/* The elder picker: type a name, pinyin initials (wxy), the last digits of the ID number or the
   phone; choose a match with a tap, a click or the arrow keys and Enter. The chosen elder's id
   goes into the field's select, which the form submits. Without this script the search button
   submits the form and the page comes back with the matches (eldercare.pickers). */
(function () {
  "use strict";
  if (window.elderPickerLoaded) { return; }
  window.elderPickerLoaded = true;

  // The CSRF token of the page: the form's own field, or the one base.html gives htmx.
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) { return field.value; }
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function setup(root) {
    if (root.dataset.ready) { return; }
    root.dataset.ready = "1";
    var input = root.querySelector(".elder-picker-q");
    var list = root.querySelector(".elder-picker-results");
    var select = root.querySelector(".elder-picker-choice");
    var status = root.querySelector(".elder-picker-status");
    var button = root.querySelector(".elder-picker-search");
    // Enter in the form's other fields must submit the form, not search: drop the no-script button.
    if (button) { button.remove(); }
    var rows = [];
    var active = -1;
    var timer = null;
    var sequence = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (item, i) {
        item.classList.toggle("active", i === index);
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(row) {
      select.innerHTML = "";
      var blank = document.createElement("option");
      blank.value = "";
      blank.textContent = root.dataset.blank || "";
      select.appendChild(blank);
      var option = document.createElement("option");
      option.value = String(row.id);
      option.textContent = row.label;
      option.selected = true;
      select.appendChild(option);
      select.value = String(row.id);
      select.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = row.name;
      status.textContent = (root.dataset.chosen || "") + row.label;
      close();
    }

    function show(found, more) {
      rows = found;
      list.innerHTML = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "list-group-item text-muted";
        none.textContent = root.dataset.empty || "";
        list.appendChild(none);
      }
      found.forEach(function (row, i) {
        var item = document.createElement("li");
        item.className = "list-group-item list-group-item-action";
        item.id = select.id + "_option_" + row.id;
        item.setAttribute("role", "option");
        item.dataset.index = String(i);
        var name = document.createElement("strong");
        name.textContent = row.name;
        var detail = document.createElement("span");
        detail.className = "text-muted small ms-2";
        detail.textContent = [row.community, row.age_label, row.status, row.numbers].join(" · ");
        item.appendChild(name);
        item.appendChild(detail);
        // mousedown, not click: the input keeps its focus and the list is not closed first.
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(row); });
        list.appendChild(item);
      });
      if (more) {
        var hint = document.createElement("li");
        hint.className = "list-group-item small text-muted";
        hint.textContent = root.dataset.more || "";
        list.appendChild(hint);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(found.length ? 0 : -1);
    }

    function search() {
      var q = input.value.trim();
      if (!q) { close(); return; }
      var mine = ++sequence;
      // The text is posted, never put in the address: it may be a whole ID number or a phone.
      var body = new URLSearchParams();
      body.set("q", q);
      fetch(root.dataset.url, {
        method: "POST",
        body: body,
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        credentials: "same-origin"
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === sequence) { show(data.results || [], data.more); } })
        .catch(function () { if (mine === sequence) { show([], false); } });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    input.addEventListener("focus", function () { if (rows.length && input.value.trim()) { list.hidden = false; } });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        highlight(Math.min(active + 1, rows.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        // Never submit the form from the search box: Enter chooses the highlighted match.
        event.preventDefault();
        if (!list.hidden && active >= 0 && rows[active]) { choose(rows[active]); } else { clearTimeout(timer); search(); }
      } else if (event.key === "Escape") {
        close();
      }
    });
  }

  function setupAll(scope) {
    (scope || document).querySelectorAll("[data-elder-picker]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setupAll(document); });
  } else {
    setupAll(document);
  }
  // Pages that swap in a form with htmx get their pickers set up too.
  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.querySelectorAll) {
      if (elt.matches && elt.matches("[data-elder-picker]")) { setup(elt); }
      setupAll(elt);
    }
  });
})();
