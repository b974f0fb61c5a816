/* Events page: the venues of the shown events on a small Leaflet map. The list of addresses
   under it is the same information without JavaScript. */
(function () {
  "use strict";
  var el = document.getElementById("events-map");
  var data = document.getElementById("events-map-data");
  if (!el || !data || !window.L) { return; }
  var points = [];
  try { points = JSON.parse(data.textContent || "[]"); } catch (e) { return; }
  if (!points.length) { return; }
  var tileUrl = el.getAttribute("data-tile-url") || "";
  el.hidden = false;  // hidden without JavaScript: the list of addresses below stands in
  el.classList.add("map-live");
  if (!tileUrl) { el.classList.add("map-no-tiles"); }
  el.setAttribute("role", "region");
  el.setAttribute("aria-label", el.getAttribute("data-map-label") || "");
  var map = window.L.map(el, { scrollWheelZoom: false, maxZoom: 18 });
  if (tileUrl) {
    window.L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.getAttribute("data-attribution") || "" }).addTo(map);
  }
  var bounds = [];
  points.forEach(function (p) {
    window.L.circleMarker([p.lat, p.lon], {
      radius: 8, weight: 3, color: "#ffffff", fillColor: "#c2410c", fillOpacity: 1
    }).addTo(map).bindTooltip(p.label, { permanent: false });
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 15); } else { map.fitBounds(bounds, { padding: [20, 20] }); }
})();
