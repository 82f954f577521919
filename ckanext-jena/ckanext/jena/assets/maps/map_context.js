/* Orientation on the portal's Leaflet maps, with or without base map tiles
 * (there are none where the tile server cannot be reached): every map gets a
 * metric scale; the map search and its drawing dialog also show the extents
 * of the datasets on the result page, so a visitor sees where they lie before
 * drawing a box. Runs before CKAN initialises its modules (DOM ready), so the
 * hook is in place when ckanext-spatial creates its maps. */
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

  L.Map.addInitHook(function () {
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(this);
    var container = this.getContainer();
    var onSearchPage = container.closest("#dataset-map") || container.id === "draw-map-container";
    if (!onSearchPage) {
      return;
    }
    var features = resultExtents();
    if (!features.length) {
      return;
    }
    L.geoJSON({type: "FeatureCollection", features: features}, {
      style: STYLE,
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({radius: 4}, STYLE));
      }
    }).addTo(this).bringToBack();
  });
})();
