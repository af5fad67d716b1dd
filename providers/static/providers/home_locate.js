// The community worker at the elder's door: fill the home's coordinates from the phone's location.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    const button = document.getElementById("locate-button");
    const status = document.getElementById("locate-status");
    if (!button || !navigator.geolocation) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.waiting;
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
          document.getElementById("id_lng").value = pos.coords.longitude.toFixed(6);
          status.textContent = button.dataset.found.replace("{m}", Math.round(pos.coords.accuracy));
          button.disabled = false;
        },
        function () {
          status.textContent = button.dataset.failed;
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 }
      );
    });
  });
})();
