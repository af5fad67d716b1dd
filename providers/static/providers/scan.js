// Reading the elder's QR card on the visit page, in every common phone browser. Two ways:
// - the live camera (getUserMedia): BarcodeDetector where the browser reads QR codes with it,
//   otherwise jsQR on frames drawn to a canvas (iPhone Safari and WeChat's browser have no
//   BarcodeDetector);
// - a photo taken with the phone's camera app (<input type=file capture>), decoded with jsQR: this
//   works even where the page may not open the camera (WeChat, a page served without HTTPS).
// The card's token fills the code field; typing the short code instead stays possible.
// The page can be replaced after a submit (visit.js): everything binds again on "visit:swapped".
(function () {
  "use strict";

  // Big phone photos are scaled down before decoding (fast, and small enough for old phones);
  // a QR code not found at the first size is tried at the others.
  var PHOTO_SIDES = [1280, 800, 2000];
  var FRAME_SIDE = 640;
  var FRAME_MS = 150;
  // A card token is TimestampSigner output of "elder.version": value:timestamp:signature.
  var CARD_TOKEN = /^\d+\.\d+:[0-9A-Za-z]+:[0-9A-Za-z_-]+$/;

  var stream = null;
  var timer = null;

  function el(id) { return document.getElementById(id); }

  function say(tools, key, bad) {
    var status = el("scan-status");
    if (!status) return;
    status.textContent = key ? tools.getAttribute("data-" + key) || "" : "";
    status.classList.toggle("text-danger", !!bad);
  }

  function stopCamera() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    var video = el("scan-video");
    if (video) video.srcObject = null;
    var view = el("scan-view");
    if (view) view.hidden = true;
  }

  // The QR code's text in an image or a video frame, or null.
  function decode(source, width, height, maxSide, inversion) {
    if (!window.jsQR || !width || !height) return null;
    var scale = Math.min(1, maxSide / Math.max(width, height));
    var w = Math.max(1, Math.round(width * scale));
    var h = Math.max(1, Math.round(height * scale));
    var canvas = document.createElement("canvas");
    canvas.width = w;
    canvas.height = h;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(source, 0, 0, w, h);
    var found = window.jsQR(ctx.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: inversion });
    return found && found.data ? found.data : null;
  }

  function found(tools, text) {
    text = (text || "").trim();
    if (!CARD_TOKEN.test(text)) {
      say(tools, "not-card", true);
      return false;
    }
    stopCamera();
    var code = el("id_code");
    code.value = text;
    code.dispatchEvent(new Event("input", { bubbles: true }));
    say(tools, "scanned", false);
    // At check-out the elder's confirmation comes next; at check-in the button.
    var next = el("id_elder_code") || el("check-in");
    if (next) next.scrollIntoView({ block: "center" });
    return true;
  }

  function qrDetector() {
    if (!("BarcodeDetector" in window)) return Promise.resolve(null);
    return window.BarcodeDetector.getSupportedFormats()
      .then(function (formats) {
        return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
      })
      .catch(function () { return null; });
  }

  function watch(tools, video, detector) {
    var tick = function () {
      if (!stream) return;
      var read;
      if (video.readyState < 2 || !video.videoWidth) {
        read = Promise.resolve(null);
      } else if (detector) {
        read = detector.detect(video)
          .then(function (codes) { return codes.length ? codes[0].rawValue : null; })
          .catch(function () { return null; });
      } else {
        read = Promise.resolve(decode(video, video.videoWidth, video.videoHeight, FRAME_SIDE, "dontInvert"));
      }
      read.then(function (text) {
        if (!stream) return;
        if (text && found(tools, text)) return;
        timer = setTimeout(tick, FRAME_MS);
      });
    };
    tick();
  }

  function startCamera(tools) {
    var video = el("scan-video");
    stopCamera();
    say(tools, "looking", false);
    navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        el("scan-view").hidden = false;
        return video.play();
      })
      .then(qrDetector)
      .then(function (detector) { watch(tools, video, detector); })
      .catch(function () {
        stopCamera();
        say(tools, "no-camera", true);
      });
  }

  function loadImage(file) {
    var viaElement = function () {
      return new Promise(function (resolve, reject) {
        var reader = new FileReader();
        reader.onload = function () {
          var img = new Image();
          img.onload = function () { resolve(img); };
          img.onerror = reject;
          img.src = reader.result;
        };
        reader.onerror = reject;
        reader.readAsDataURL(file);
      });
    };
    if (window.createImageBitmap) return window.createImageBitmap(file).catch(viaElement);
    return viaElement();
  }

  function readPhoto(tools, file) {
    stopCamera();
    say(tools, "reading", false);
    loadImage(file)
      .then(function (img) {
        var w = img.naturalWidth || img.width;
        var h = img.naturalHeight || img.height;
        var text = null;
        for (var i = 0; i < PHOTO_SIDES.length && !text; i++) {
          text = decode(img, w, h, PHOTO_SIDES[i], "attemptBoth");
        }
        if (img.close) img.close();
        if (!text) say(tools, "not-found", true);
        else found(tools, text);
      })
      .catch(function () { say(tools, "unreadable", true); });
  }

  function bind() {
    stopCamera();
    var tools = el("scan-tools");
    if (!tools) return;
    tools.hidden = false;
    var button = el("scan-button");
    var photo = el("scan-photo");
    if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
      button.hidden = false;
      button.addEventListener("click", function () { startCamera(tools); });
    }
    el("scan-stop").addEventListener("click", function () { stopCamera(); say(tools, "", false); });
    photo.addEventListener("change", function () {
      if (photo.files && photo.files[0]) readPhoto(tools, photo.files[0]);
      photo.value = "";
    });
  }

  document.addEventListener("visit:swapped", bind);
  window.addEventListener("pagehide", stopCamera);
  document.addEventListener("visibilitychange", function () { if (document.hidden) stopCamera(); });
  bind();
})();
