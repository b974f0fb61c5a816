/* Search page: the map beside the list, "near me", the phone map toggle.
   Progressive enhancement only: the form and the links work without this file. */
(function () {
  "use strict";

  var mapEl = document.getElementById("search-map");
  var form = document.getElementById("search-form");
  var map = null;
  var cluster = null;
  var markers = {};
  var hereLayer = null;

  function readJson(name) {
    var el = document.getElementById("map-data");
    if (!el) { return null; }
    try { return JSON.parse(el.getAttribute("data-" + name) || "null"); } catch (e) { return null; }
  }

  function cardFor(id) {
    return document.querySelector('.card[data-id="' + id + '"]');
  }

  function setHighlight(id, on) {
    var marker = markers[id];
    var card = cardFor(id);
    if (card) { card.classList.toggle("is-highlighted", on); }
    if (!marker) { return; }
    marker.setStyle(on ? { radius: 11, fillColor: "#1d4ed8", weight: 3 } : { radius: 8, fillColor: "#c2410c", weight: 2 });
    if (on) {
      marker.bringToFront();
      if (cluster && cluster.getVisibleParent(marker) !== marker) { return; }
      marker.openTooltip();
    } else {
      marker.closeTooltip();
    }
  }

  function ensureMap() {
    if (map || !mapEl || !window.L) { return map; }
    var tileUrl = mapEl.getAttribute("data-tile-url") || "";
    mapEl.textContent = "";
    mapEl.classList.add("map-live");
    mapEl.setAttribute("role", "region");
    mapEl.setAttribute("aria-label", mapEl.getAttribute("data-map-label") || "");
    // maxZoom on the map itself: without tiles Leaflet has none, and clustering would never end.
    map = window.L.map(mapEl, { scrollWheelZoom: false, maxZoom: 19 }).setView([54.99, 73.37], 11);
    if (tileUrl) {
      window.L.tileLayer(tileUrl, { maxZoom: 19, attribution: mapEl.getAttribute("data-attribution") || "" }).addTo(map);
    } else {
      mapEl.classList.add("map-no-tiles");
    }
    cluster = window.L.markerClusterGroup ? window.L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 }) : window.L.layerGroup();
    cluster.addTo(map);
    return map;
  }

  function renderMarkers() {
    if (!ensureMap()) { return; }
    var points = readJson("points") || [];
    var here = readJson("location");
    cluster.clearLayers();
    markers = {};
    if (hereLayer) { map.removeLayer(hereLayer); hereLayer = null; }
    var bounds = [];
    points.forEach(function (p) {
      var marker = window.L.circleMarker([p.lat, p.lon], { radius: 8, weight: 2, color: "#ffffff", fillColor: "#c2410c", fillOpacity: 1 });
      marker.bindTooltip(p.title);
      marker.on("click", function () { window.location.href = p.url; });
      marker.on("mouseover", function () { setHighlight(p.id, true); });
      marker.on("mouseout", function () { setHighlight(p.id, false); });
      cluster.addLayer(marker);
      markers[p.id] = marker;
      bounds.push([p.lat, p.lon]);
    });
    if (here) {
      hereLayer = window.L.layerGroup().addTo(map);
      window.L.circleMarker([here.lat, here.lon], { radius: 7, weight: 3, color: "#1d4ed8", fillColor: "#ffffff", fillOpacity: 1 })
        .bindTooltip(mapEl.getAttribute("data-here-label") || "").addTo(hereLayer);
      if (here.radius_km) {
        window.L.circle([here.lat, here.lon], { radius: here.radius_km * 1000, weight: 1, color: "#1d4ed8", fillOpacity: 0.04 }).addTo(hereLayer);
        bounds.push([here.lat, here.lon]);
      }
    }
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    }
    document.querySelectorAll(".card[data-id]").forEach(function (card) {
      var id = card.getAttribute("data-id");
      card.addEventListener("mouseenter", function () { setHighlight(id, true); });
      card.addEventListener("mouseleave", function () { setHighlight(id, false); });
      card.addEventListener("focusin", function () { setHighlight(id, true); });
      card.addEventListener("focusout", function () { setHighlight(id, false); });
    });
  }

  // Phones: the list first, the map behind a button.
  var toggle = document.getElementById("map-toggle");
  if (toggle && mapEl) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = document.body.classList.toggle("map-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (map) { setTimeout(function () { map.invalidateSize(); renderMarkers(); }, 0); }
    });
  }

  // "Near me": the browser's position becomes lat/lon; typing an address drops it again.
  var near = document.getElementById("use-location");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var where = document.getElementById("id_where");
  if (near && lat && lon && navigator.geolocation) {
    near.hidden = false;
    near.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        lat.disabled = false;
        lon.disabled = false;
        if (where) { where.value = ""; }
        if (form && form.requestSubmit) { form.requestSubmit(); } else if (form) { form.submit(); }
      });
    });
  }
  if (where && lat && lon) {
    where.addEventListener("input", function () {
      lat.value = ""; lon.value = ""; lat.disabled = true; lon.disabled = true;
    });
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "results") { renderMarkers(); }
  });
  renderMarkers();
})();
