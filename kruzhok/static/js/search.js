/* Search page: the map beside the list, "near me", live-search details, the phone map toggle.
   Progressive enhancement only: the form and the links work without this file.
   htmx may replace the whole page on Back (history restore), so every element is looked up
   again in init() and listeners that must survive live on document.body. */
(function () {
  "use strict";

  var WHERE_DELAY_MS = 600;   // addresses are long: half-typed ones would only say «not found»
  var map = null;
  var mapEl = null;
  var cluster = null;
  var markers = {};
  var hereLayer = null;
  var lastQuery = null;
  var whereTimer = null;

  function $(id) { return document.getElementById(id); }

  function readJson(name) {
    var el = $("map-data");
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
      if (cluster && cluster.getVisibleParent && cluster.getVisibleParent(marker) !== marker) { return; }
      marker.openTooltip();
    } else {
      marker.closeTooltip();
    }
  }

  function dropMap() {
    if (map) {
      try { map.remove(); } catch (e) { /* its container is already gone */ }
    }
    map = null; cluster = null; markers = {}; hereLayer = null; mapEl = null;
  }

  function ensureMap() {
    var el = $("search-map");
    if (map && el === mapEl) { return map; }
    if (!el || !window.L) { return null; }
    dropMap();  // Back replaced the page: the old map has no container
    mapEl = el;
    var tileUrl = mapEl.getAttribute("data-tile-url") || "";
    mapEl.textContent = "";
    mapEl.classList.add("map-live");
    mapEl.setAttribute("role", "region");
    mapEl.setAttribute("aria-label", mapEl.getAttribute("data-map-label") || "");
    // maxZoom on the map itself: without tiles Leaflet has none, and clustering would never end.
    // No animations: a zoom still running when Back replaces the page would fire on a map
    // that has lost its container.
    map = window.L.map(mapEl, { scrollWheelZoom: false, maxZoom: 19, zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false })
      .setView([54.99, 73.37], 11);
    if (tileUrl) {
      window.L.tileLayer(tileUrl, { maxZoom: 19, attribution: mapEl.getAttribute("data-attribution") || "" }).addTo(map);
    } else {
      mapEl.classList.add("map-no-tiles");
    }
    cluster = window.L.markerClusterGroup ? window.L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, animate: false }) : window.L.layerGroup();
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
      var marker = window.L.circleMarker([p.lat, p.lon], { radius: 8, weight: 2, color: "#ffffff", fillColor: "#c2410c", fillOpacity: 1, className: "result-marker" });
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
      bounds.push([here.lat, here.lon]);
      if (here.radius_km) {
        // The whole circle in view: the area searched, not only the cards found in it.
        var circle = window.L.circle([here.lat, here.lon], { radius: here.radius_km * 1000, weight: 1, color: "#1d4ed8", fillOpacity: 0.04 }).addTo(hereLayer);
        var area = circle.getBounds();
        bounds.push(area.getSouthWest(), area.getNorthEast());
      }
    }
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    }
  }

  function bindCards() {
    document.querySelectorAll(".card[data-id]").forEach(function (card) {
      var id = card.getAttribute("data-id");
      card.addEventListener("mouseenter", function () { setHighlight(id, true); });
      card.addEventListener("mouseleave", function () { setHighlight(id, false); });
      card.addEventListener("focusin", function () { setHighlight(id, true); });
      card.addEventListener("focusout", function () { setHighlight(id, false); });
    });
  }

  function formQuery(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function hasLocation() {
    var where = $("id_where");
    var lat = $("id_lat");
    return Boolean((where && where.value.trim()) || (lat && !lat.disabled && lat.value));
  }

  // Radius and «nearest first» mean something only once there is a place to measure from.
  function syncLocationControls() {
    var on = hasLocation();
    var radiusField = $("field-radius");
    var radius = $("id_radius");
    if (radiusField && radius) {
      radiusField.hidden = !on;
      radius.disabled = !on;
    }
    var near = document.querySelector('#id_sort option[value="near"]');
    if (near) { near.disabled = !on; }
  }

  // The filters' options arrive out of band with fresh counts (htmx swaps them before the list).
  // Chrome keeps the old selection's position rather than the new `selected` attribute, so the
  // server's choice is applied here.
  function applyServerSelection() {
    ["id_direction", "id_category", "id_district"].forEach(function (id) {
      var select = $(id);
      if (!select) { return; }
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].defaultSelected) { select.selectedIndex = i; return; }
      }
      select.selectedIndex = 0;
    });
  }

  // «Ещё фильтры (N)»: how many filters the folded part holds (the days count as one).
  function countExtraFilters() {
    var details = $("more-filters");
    var out = $("extra-filter-count");
    if (!details || !out) { return; }
    var n = 0;
    details.querySelectorAll("select, input[type=time]").forEach(function (el) { if (el.value) { n += 1; } });
    details.querySelectorAll("input[type=checkbox]:checked:not([name=day])").forEach(function () { n += 1; });
    if (details.querySelector("input[name=day]:checked")) { n += 1; }
    out.textContent = n ? "(" + n + ")" : "";
  }

  function announce() {
    var status = $("search-status");
    if (!status) { return; }
    var parts = [];
    document.querySelectorAll("#results-title, #results .notice, #results .empty > p:first-child").forEach(function (el) {
      parts.push(el.textContent.replace(/\s+/g, " ").trim());
    });
    status.textContent = parts.join(" ");
  }

  function useLocation(button, form) {
    var lat = $("id_lat");
    var lon = $("id_lon");
    var where = $("id_where");
    var problem = $("location-problem");
    button.setAttribute("aria-busy", "true");
    navigator.geolocation.getCurrentPosition(function (pos) {
      button.removeAttribute("aria-busy");
      if (problem) { problem.hidden = true; }
      lat.value = pos.coords.latitude.toFixed(6);
      lon.value = pos.coords.longitude.toFixed(6);
      lat.disabled = false;
      lon.disabled = false;
      if (where) {
        where.value = "";
        where.placeholder = where.getAttribute("data-near-placeholder") || where.placeholder;
      }
      syncLocationControls();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }, function () {
      button.removeAttribute("aria-busy");
      if (problem) { problem.hidden = false; }
    }, { timeout: 15000, maximumAge: 300000 });
  }

  function init() {
    var form = $("search-form");
    if (!form) { return; }
    lastQuery = formQuery(form);

    // Phones: the list first, the map behind a button.
    var toggle = $("map-toggle");
    if (toggle && $("search-map")) {
      toggle.hidden = false;
      toggle.setAttribute("aria-expanded", document.body.classList.contains("map-open") ? "true" : "false");
      toggle.addEventListener("click", function () {
        var open = document.body.classList.toggle("map-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        if (map) { setTimeout(function () { map.invalidateSize(); renderMarkers(); }, 0); }
      });
    }

    var near = $("use-location");
    if (near && $("id_lat") && $("id_lon") && navigator.geolocation) {
      near.hidden = false;
      near.addEventListener("click", function () { useLocation(near, form); });
    }

    var where = $("id_where");
    if (where) {
      where.addEventListener("input", function (event) {
        // Typing an address replaces the browser's position.
        var lat = $("id_lat");
        var lon = $("id_lon");
        if (lat && lon) { lat.value = ""; lon.value = ""; lat.disabled = true; lon.disabled = true; }
        syncLocationControls();
        // Not the form's 300 ms: a suggestion picked from the list searches at once, typing waits longer.
        event.stopPropagation();
        clearTimeout(whereTimer);
        var picked = Array.prototype.some.call((where.list && where.list.options) || [], function (o) { return o.value === where.value; });
        whereTimer = setTimeout(function () { htmx.trigger(form, "where-changed"); }, picked ? 0 : WHERE_DELAY_MS);
      });
    }

    // Wide screens have room for every filter; site.js does this on load, Back needs it again.
    if (window.matchMedia && window.matchMedia("(min-width: 60rem)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (el) { el.open = true; });
    }

    form.addEventListener("change", countExtraFilters);
    syncLocationControls();
    countExtraFilters();
    renderMarkers();
    bindCards();
  }

  // One request per real change: a checkbox fires both "change" and "input", a text field
  // "change" again on blur; the same query twice would only redraw the same list.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var form = $("search-form");
    if (!form || event.detail.elt !== form) { return; }
    var query = formQuery(form);
    if (query === lastQuery) { event.preventDefault(); return; }
    lastQuery = query;
    var results = $("results");
    if (results) { results.setAttribute("aria-busy", "true"); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = $("search-form");
    if (form && event.detail.elt === form && !event.detail.successful) { lastQuery = null; }
    var results = $("results");
    if (results) { results.removeAttribute("aria-busy"); }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "results") {
      applyServerSelection();
      renderMarkers();
      bindCards();
      announce();
    }
  });
  // Which ad the fixed slot shows: if a live update would show the same one, the server leaves
  // the slot alone and does not count it again (kruzhok.promotion.ads.views.slot_html).
  document.body.addEventListener("htmx:configRequest", function (event) {
    var ad = document.querySelector("#ad-slot [data-ad]");
    if (ad) { event.detail.headers["X-Ad-Shown"] = ad.getAttribute("data-ad"); }
  });
  document.body.addEventListener("htmx:historyCacheMissLoad", dropMap);  // before the page is replaced
  document.body.addEventListener("htmx:historyRestore", init);
  init();
})();
