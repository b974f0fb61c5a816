/* Kruzhok: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";

  function tiles(el, map) {
    var tileUrl = el.getAttribute("data-tile-url") || "";
    el.classList.add("map-live");
    if (!tileUrl) { el.classList.add("map-no-tiles"); }
    if (tileUrl) {
      window.L.tileLayer(tileUrl, {
        maxZoom: 19,
        attribution: el.getAttribute("data-attribution") || ""
      }).addTo(map);
    }
  }

  function pin(map, lat, lon, label, radius) {
    window.L.circleMarker([lat, lon], {
      radius: radius, weight: 3, color: "#ffffff", fillColor: "#c2410c", fillOpacity: 1
    }).addTo(map).bindTooltip(label, { permanent: false });
  }

  // One place: the static pin and the address are already on the page; Leaflet adds panning and
  // tiles. Several places (data-points names a json_script): the list of addresses under the map
  // is the same information without JavaScript, so the map itself starts hidden.
  function initMap(el) {
    if (!window.L) { return; }
    var label = el.getAttribute("data-label") || "";
    var points;
    var source = el.getAttribute("data-points");
    if (source) {
      try { points = JSON.parse((document.getElementById(source) || {}).textContent || "[]"); } catch (e) { return; }
    } else {
      points = [{ lat: parseFloat(el.getAttribute("data-lat")), lon: parseFloat(el.getAttribute("data-lon")), label: label }];
    }
    points = points.filter(function (p) { return isFinite(p.lat) && isFinite(p.lon); });
    if (!points.length) { return; }
    el.textContent = "";
    el.hidden = false;
    var map = window.L.map(el, { scrollWheelZoom: false, zoomControl: true, maxZoom: 18 });
    tiles(el, map);
    points.forEach(function (p) { pin(map, p.lat, p.lon, p.label, source ? 8 : 10); });
    if (points.length === 1) {
      map.setView([points[0].lat, points[0].lon], source ? 15 : 16);
    } else {
      map.fitBounds(points.map(function (p) { return [p.lat, p.lon]; }), { padding: [20, 20] });
    }
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", el.getAttribute("data-map-label") || label);
  }

  document.querySelectorAll("[data-map]").forEach(initMap);

  // Extra search filters fold away on phones; on a wide screen there is room to show them.
  if (window.matchMedia && window.matchMedia("(min-width: 60rem)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (el) { el.open = true; });
  }
})();
