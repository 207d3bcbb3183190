/* The commune map: Leaflet without tiles, approximate cells from a static GeoJSON file.
   Values come from the page (json_script); nothing is fetched from another host. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var cellsUrl = document.getElementById("map-cells").dataset.url;
  var lang = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
  var fmt = new Intl.NumberFormat(lang, { minimumFractionDigits: 4, maximumFractionDigits: 4 });
  var fmt2 = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var labels = data.labels;
  var CLASSES = ["#d7301f", "#fc8d59", "#fdcc8a", "#a1d99b", "#31a354"];
  var BREAKS = [0.5, 0.65, 0.8, 0.9]; // value classes: <0,5 · 0,5-0,65 · 0,65-0,8 · 0,8-0,9 · ≥0,9
  var mode = "value";

  function colour(unit) {
    if (!unit || unit.value === undefined) return "#dddddd";
    if (mode === "recognized") return unit.recognized ? "#31a354" : "#fc8d59";
    var i = 0;
    while (i < BREAKS.length && unit.value >= BREAKS[i]) i++;
    return CLASSES[i];
  }

  function style(feature) {
    return { color: "#555", weight: 0.7, fillOpacity: 0.85, fillColor: colour(data.units[feature.properties.code]) };
  }

  function tooltip(feature) {
    var unit = data.units[feature.properties.code] || {};
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = unit.name || feature.properties.name;
    box.appendChild(name);
    var lines = unit.value === undefined
      ? [labels.no_result]
      : [labels.value + ": " + fmt.format(unit.value), labels.rank + ": " + unit.rank,
         unit.recognized ? labels.recognized : labels.not_recognized];
    lines.forEach(function (text) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(text));
    });
    return box;
  }

  function legend() {
    var box = document.getElementById("legend");
    box.textContent = "";
    var items = mode === "recognized"
      ? [["yes", labels.recognized], ["no", labels.not_recognized]]
      : [["c0", "< " + fmt2.format(BREAKS[0])]].concat(BREAKS.map(function (b, i) {
          return ["c" + (i + 1), "≥ " + fmt2.format(b)];
        }));
    items.push(["none", labels.no_result]);
    items.forEach(function (item) {
      var span = document.createElement("span");
      var swatch = document.createElement("span");
      swatch.className = "swatch " + item[0];
      span.appendChild(swatch);
      span.appendChild(document.createTextNode(item[1]));
      box.appendChild(span);
    });
  }

  var map = L.map("map", { zoomSnap: 0.25, attributionControl: false });
  var layer;
  fetch(cellsUrl).then(function (r) { return r.json(); }).then(function (cells) {
    layer = L.geoJSON(cells, {
      style: style,
      onEachFeature: function (feature, shape) {
        var code = feature.properties.code;
        shape.bindTooltip(function () { return tooltip(feature); }, { sticky: true, className: "unit-tip" });
        shape.on("click", function () { window.location.href = data.card_url + code + "/"; });
        // Tests and keyboard-less checks find each shape by its commune code.
        shape.on("add", function () {
          var el = shape.getElement();
          if (el) { el.setAttribute("data-code", code); el.setAttribute("data-href", data.card_url + code + "/"); }
        });
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds());
    document.getElementById("map").setAttribute("data-ready", "true");
  });

  document.querySelectorAll("[data-colour]").forEach(function (button) {
    button.addEventListener("click", function () {
      mode = button.dataset.colour;
      document.querySelectorAll("[data-colour]").forEach(function (b) {
        b.setAttribute("aria-pressed", b === button ? "true" : "false");
      });
      if (layer) layer.setStyle(style);
      legend();
    });
  });
  legend();
})();
