/* Kruzhok: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";

  // The static pin and the address are already on the page; Leaflet adds panning and tiles.
  function initMap(el) {
    if (!window.L) { return; }
    var lat = parseFloat(el.getAttribute("data-lat"));
    var lon = parseFloat(el.getAttribute("data-lon"));
    if (!isFinite(lat) || !isFinite(lon)) { return; }
    var label = el.getAttribute("data-label") || "";
    var tileUrl = el.getAttribute("data-tile-url") || "";
    el.textContent = "";
    el.classList.add("map-live");
    if (!tileUrl) { el.classList.add("map-no-tiles"); }
    var map = window.L.map(el, { scrollWheelZoom: false, zoomControl: true }).setView([lat, lon], 16);
    if (tileUrl) {
      window.L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: el.getAttribute("data-attribution") || ""
      }).addTo(map);
    }
    window.L.circleMarker([lat, lon], {
      radius: 10, weight: 3, color: "#ffffff", fillColor: "#c2410c", fillOpacity: 1
    }).addTo(map).bindTooltip(label, { permanent: false });
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", el.getAttribute("data-map-label") || label);
  }

  document.querySelectorAll("[data-map]").forEach(initMap);

  // Extra search filters fold away on phones; on a wide screen there is room to show them.
  if (window.matchMedia && window.matchMedia("(min-width: 60rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (el) { el.open = true; });
  }
})();
