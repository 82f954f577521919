/* Orientation on the portal's Leaflet maps, with or without base map tiles
 * (there are none where the tile server cannot be reached): every map gets a
 * metric scale; the map search and its drawing dialog also show the extents
 * of the datasets on the result page, so a visitor sees where they lie before
 * drawing a box; a button searches the area the map shows. Runs before
 * CKAN initialises its modules (DOM ready), so the hook is in place when
 * ckanext-spatial creates its maps. */
(function () {
  "use strict";
  if (!window.L || !L.Map) {
    return;
  }

  var STYLE = {color: "#1f5f8b", weight: 1.5, dashArray: "4 3", fillOpacity: 0.05, interactive: false};

  function resultExtents() {
    var holder = document.querySelector("[data-jena-result-extents]");
    if (!holder) {
      return [];
    }
    var pairs;
    try {
      pairs = JSON.parse(holder.getAttribute("data-jena-result-extents"));
    } catch (e) {
      return [];
    }
    var features = [];
    pairs.forEach(function (pair) {
      try {
        features.push({type: "Feature", properties: {title: pair[0]}, geometry: JSON.parse(pair[1])});
      } catch (e) {
        /* an extent that is not JSON is left out, the others are drawn */
      }
    });
    return features;
  }

  /* The map search without a mouse: Leaflet's keyboard controls move and
   * zoom the small map, this button searches the area it shows (drawing a
   * box needs a pointer). */
  function searchTheVisibleArea(map) {
    var button = document.getElementById("jena-map-search-visible");
    var form = document.getElementById("dataset-search-form");
    if (!button || !form) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById("ext_bbox");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.id = input.name = "ext_bbox";
        form.appendChild(input);
      }
      input.value = map.getBounds().toBBoxString();
      form.submit();
    });
  }

  L.Map.addInitHook(function () {
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(this);
    var container = this.getContainer();
    if (container.id === "dataset-map-container" && container.closest("#dataset-map")) {
      searchTheVisibleArea(this);
    }
    var onSearchPage = container.closest("#dataset-map") || container.id === "draw-map-container";
    if (!onSearchPage) {
      return;
    }
    var features = resultExtents();
    if (!features.length) {
      return;
    }
    var layer = L.geoJSON({type: "FeatureCollection", features: features}, {
      style: STYLE,
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({radius: 4}, STYLE));
      }
    });
    // Vector layers need the map's view, which ckanext-spatial sets after
    // creating the map, and a renderer that has seen it: added once the
    // view's events have run.
    var map = this;
    this.whenReady(function () {
      window.setTimeout(function () {
        layer.addTo(map).bringToBack();
      }, 0);
    });
  });
})();
