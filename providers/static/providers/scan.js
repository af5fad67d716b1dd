// The caregiver's visit page: scan the elder's QR card with the camera where the browser has
// BarcodeDetector, otherwise the short code is typed. The location is added when allowed.
(function () {
  "use strict";
  const form = document.getElementById("visit-form");
  if (!form) return;
  const code = document.getElementById("id_code");
  const button = document.getElementById("scan-button");
  const video = document.getElementById("scan-video");
  const share = document.getElementById("share-location");
  if (share && share.checked && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
    }, function () {}, { timeout: 5000, maximumAge: 60000 });
  }
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  button.addEventListener("click", async function () {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const tick = async function () {
      const found = await detector.detect(video).catch(function () { return []; });
      if (found.length) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        video.hidden = true;
        code.value = found[0].rawValue;
        const submit = form.querySelector("button[name=action]");
        form.requestSubmit(submit);
        return;
      }
      requestAnimationFrame(tick);
    };
    tick();
  });
})();
