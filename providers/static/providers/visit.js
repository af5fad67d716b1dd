// The caregiver's visit pages: the elder's signature drawn on the phone, the phone's location, and
// check-in and check-out sent with fetch so that a request the network loses is not lost.
//
// A request that gets no answer (offline, timed out, a gateway error) is kept in localStorage
// under its request id and sent again when the network is back or a visit page loads; the server
// handles a request id once, so sending it again is safe. The server's answer (the visit page,
// or the same form with a refusal or the unpaid warning) replaces the page's content. Without
// JavaScript the form posts as usual.
(function () {
  "use strict";

  var KEY = "eldercare.pendingChecks";
  var TIMEOUT_MS = 20000;
  var RETRY_STATUSES = [0, 502, 503, 504];

  var lastClicked = null;
  var sending = false;

  function el(id) { return document.getElementById(id); }

  function pathOf(url) {
    try { return new URL(url, location.href).pathname; } catch (e) { return url; }
  }

  // --- the pending requests kept on the phone ----------------------------------------------

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }

  function store(all) {
    try { localStorage.setItem(KEY, JSON.stringify(all)); return true; } catch (e) { return false; }
  }

  function keep(entry) {
    var all = load();
    all[entry.id] = entry;
    return store(all);
  }

  function drop(id) {
    var all = load();
    delete all[id];
    store(all);
  }

  function entries() {
    var all = load();
    return Object.keys(all).map(function (k) { return all[k]; })
      .sort(function (a, b) { return a.savedAt - b.savedAt; });
  }

  function showPending(failed) {
    var note = el("pending-note");
    if (!note) return;
    note.textContent = "";
    var waiting = entries();
    var queued = waiting.filter(function (e) { return !e.review; });
    var review = waiting.filter(function (e) { return e.review; });
    if (failed) {
      note.appendChild(document.createTextNode(note.getAttribute("data-failed")));
    } else if (queued.length) {
      note.appendChild(document.createTextNode(note.getAttribute("data-saved")));
    }
    if (review.length) {
      var p = document.createElement("div");
      p.appendChild(document.createTextNode(note.getAttribute("data-review") + " "));
      review.forEach(function (e, i) {
        if (i) p.appendChild(document.createTextNode("、"));
        var a = document.createElement("a");
        a.href = e.url;
        a.textContent = e.label || e.url;
        p.appendChild(a);
      });
      note.appendChild(p);
    }
    note.hidden = !note.textContent;
  }

  function csrfToken() {
    var field = document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // The server's answer as {status, url, redirected, html}, or null when none came.
  function send(entry) {
    var token = csrfToken();
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) {
      // A request kept from an earlier page goes with this page's token (a login rotates it).
      body.append(pair[0], pair[0] === "csrfmiddlewaretoken" && token ? token : pair[1]);
    });
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: token ? { "X-CSRFToken": token } : {},
      signal: controller ? controller.signal : undefined,
    }).then(function (r) {
      clearTimeout(timeout);
      return r.text().then(function (html) {
        return { status: r.status, url: r.url, redirected: r.redirected, html: html };
      });
    }, function () {
      clearTimeout(timeout);
      return null;
    });
  }

  // Send one kept request. "kept": no answer, it stays on the phone; "away": the server sent the
  // user elsewhere (the login page), it stays too; otherwise the answer, and the request is done.
  function deliver(entry) {
    if (navigator.onLine === false) {
      keep(entry);
      return Promise.resolve("kept");
    }
    return send(entry).then(function (answer) {
      if (!answer || RETRY_STATUSES.indexOf(answer.status) >= 0) {
        keep(entry);
        return "kept";
      }
      if (pathOf(answer.url) !== pathOf(entry.url)) {
        keep(entry);
        return { away: answer.url };
      }
      drop(entry.id);
      return answer;
    });
  }

  // --- the visit page ----------------------------------------------------------------------

  function formEntry(form, submitter) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
    });
    if (submitter && submitter.name) fields.push([submitter.name, submitter.value]);
    var heading = document.querySelector("#visit-page h1");
    return {
      id: form.querySelector("[name=request_id]").value,
      url: location.pathname,
      fields: fields,
      label: heading ? heading.textContent.trim() : "",
      savedAt: Date.now(),
    };
  }

  function buttons(form) {
    var list = Array.prototype.slice.call(form.querySelectorAll("button"));
    return list.concat(Array.prototype.slice.call(document.querySelectorAll("button[form='" + form.id + "']")));
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var main = document.querySelector("main");
    var next = fresh.querySelector("main");
    if (!main || !next || !next.querySelector("#visit-page")) {
      showPending(true);
      return;
    }
    main.innerHTML = next.innerHTML;
    if (fresh.title) document.title = fresh.title;
    document.dispatchEvent(new CustomEvent("visit:swapped"));
    var alert = main.querySelector("#unpaid-warning, .alert-danger, .alert");
    if (alert) alert.scrollIntoView({ block: "start" });
    else window.scrollTo(0, 0);
  }

  function answered(result) {
    if (result === "kept") {
      showPending(false);
    } else if (result && result.away) {
      location.href = result.away;
    } else if (result) {
      swap(result.html);
    }
  }

  function submit(form, submitter) {
    if (sending) return;
    sending = true;
    var entry = formEntry(form, submitter);
    var list = buttons(form);
    list.forEach(function (b) { b.disabled = true; });
    deliver(entry).then(function (result) {
      sending = false;
      list.forEach(function (b) { b.disabled = false; });
      answered(result);
    });
  }

  function bindSignature(form) {
    var box = el("signature-box");
    var canvas = el("signature-pad");
    var field = form.querySelector("[name=signature]");
    if (!box || !canvas || !field || !canvas.getContext) return;
    box.hidden = false;
    var state = el("signature-state");
    var ctx = canvas.getContext("2d");
    var ratio = Math.min(window.devicePixelRatio || 1, 2);
    var drawing = false;
    var last = null;

    function blank() {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.restore();
    }
    function size() {
      canvas.width = Math.round(canvas.clientWidth * ratio);
      canvas.height = Math.round(canvas.clientHeight * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = ctx.fillStyle = "#111";
      blank();
      ctx.fillStyle = "#111";
      if (field.value) {
        var img = new Image();
        img.onload = function () { ctx.drawImage(img, 0, 0, canvas.clientWidth, canvas.clientHeight); };
        img.src = field.value;
        state.textContent = box.getAttribute("data-signed");
      }
    }
    function at(x, y) {
      var r = canvas.getBoundingClientRect();
      return { x: x - r.left, y: y - r.top };
    }
    function start(p) {
      drawing = true;
      last = p;
      ctx.beginPath();
      ctx.arc(p.x, p.y, 1.2, 0, 2 * Math.PI);
      ctx.fill();
    }
    function move(p) {
      if (!drawing) return;
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
    }
    function end() {
      if (!drawing) return;
      drawing = false;
      field.value = canvas.toDataURL("image/png");
      state.textContent = box.getAttribute("data-signed");
    }
    if (window.PointerEvent) {
      canvas.addEventListener("pointerdown", function (e) {
        canvas.setPointerCapture(e.pointerId);
        start(at(e.clientX, e.clientY));
        e.preventDefault();
      });
      canvas.addEventListener("pointermove", function (e) { move(at(e.clientX, e.clientY)); e.preventDefault(); });
      canvas.addEventListener("pointerup", end);
      canvas.addEventListener("pointercancel", end);
    } else {
      var touch = function (fn) {
        return function (e) {
          var t = e.changedTouches[0];
          fn(at(t.clientX, t.clientY));
          e.preventDefault();
        };
      };
      canvas.addEventListener("touchstart", touch(start), { passive: false });
      canvas.addEventListener("touchmove", touch(move), { passive: false });
      canvas.addEventListener("touchend", end);
      canvas.addEventListener("mousedown", function (e) { start(at(e.clientX, e.clientY)); });
      canvas.addEventListener("mousemove", function (e) { move(at(e.clientX, e.clientY)); });
      window.addEventListener("mouseup", end);
    }
    el("signature-clear").addEventListener("click", function () {
      field.value = "";
      state.textContent = "";
      blank();
    });
    window.addEventListener("resize", function () { if (canvas.isConnected) size(); });
    size();
  }

  function bindLocation(form) {
    var share = el("share-location");
    if (!share || !share.checked || !navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
    }, function () {}, { timeout: 5000, maximumAge: 60000 });
    share.addEventListener("change", function () {
      if (!share.checked) {
        form.querySelector("[name=lat]").value = "";
        form.querySelector("[name=lng]").value = "";
      }
    });
  }

  function bindForm() {
    var form = el("visit-form");
    if (!form) return;
    bindSignature(form);
    bindLocation(form);
    form.addEventListener("submit", function (e) {
      if (!window.fetch || !window.URLSearchParams) return; // an old browser posts the form itself
      e.preventDefault();
      submit(form, e.submitter || lastClicked);
    });
    form.setAttribute("data-ready", "");
  }

  // --- sending what was kept -------------------------------------------------------------------

  // On a visit page its own kept request is sent and the answer shown (the caregiver is there to
  // read it). Elsewhere kept requests are sent in the background; one the server answered with a
  // question (the unpaid warning) or a refusal is left for the caregiver to open.
  function flush() {
    if (sending || navigator.onLine === false) {
      showPending(false);
      return;
    }
    var here = location.pathname;
    var waiting = entries().filter(function (e) { return pathOf(e.url) === here || !e.review; });
    if (!waiting.length) {
      showPending(false);
      return;
    }
    var changed = false;
    sending = true;
    var chain = Promise.resolve();
    waiting.forEach(function (entry) {
      chain = chain.then(function () {
        return deliver(entry).then(function (result) {
          if (pathOf(entry.url) === here) {
            answered(result);
          } else if (result && result !== "kept" && !result.away) {
            if (result.redirected) changed = true;
            else {
              entry.review = true;
              keep(entry);
            }
          }
        });
      });
    });
    chain.then(function () {
      sending = false;
      showPending(false);
      if (changed && !el("visit-form")) location.reload();
    });
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button") : null;
    if (b) lastClicked = b;
  }, true);
  document.addEventListener("visit:swapped", bindForm);
  window.addEventListener("online", flush);
  bindForm();
  flush();
})();
