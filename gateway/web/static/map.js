/* The pages' maps, drawn with Leaflet over the tiles of MAP_TILES_URL.
 *
 * Every page works without it: a map only helps to fill the coordinates' boxes, or shows on a map
 * what the page lists. An element `.map[data-map]` (hidden until drawn) says what to draw:
 *   data-map="pick"    a tap, or the dragged pin, fills the boxes #<data-lat> and #<data-lon>; a
 *                      button asks the browser for the position; typed coordinates move the pin;
 *                      the radio button #<data-choose>, when given, is checked.
 *   data-map="points"  the groups of points of the JSON in #<data-points>, or of the address in
 *                      data-source asked again (with bbox and zoom) each time the map moves:
 *                      {"groups": [{"lat", "lon", "count", "href", "label", "bounds"}]}.
 * The texts come from data-* attributes, in the page's language; nothing here is inline script.
 */
(function () {
  "use strict";

  var DECIMALS = 6;

  function tiles(element) {
    // The tile server is told the platform's origin (its usage policy may ask for a Referer),
    // never the page's address: the pages' own policy is same-origin.
    var layer = L.tileLayer(element.dataset.tiles, {
      maxZoom: 19,
      subdomains: "abc",
      referrerPolicy: "strict-origin",
    });
    var attribution = document.createElement("span");
    var link = element.dataset.attributionUrl;
    var text = document.createElement(link ? "a" : "span");
    text.textContent = element.dataset.attribution || "";
    if (link) {
      text.href = link;
      text.rel = "noopener";
    }
    attribution.appendChild(text);
    layer.options.attribution = attribution.innerHTML; // escaped by the DOM, never the setting's markup
    return layer;
  }

  function start(element, options) {
    var box = element.closest(".map-box");
    if (box) {
      box.hidden = false;
    }
    var centre = (element.dataset.center || "33.5731,-7.5898").split(",").map(Number);
    var map = L.map(element, Object.assign({ scrollWheelZoom: false }, options || {}));
    map.attributionControl.setPrefix(false);
    map.setView(centre, Number(element.dataset.zoom || 12));
    tiles(element).addTo(map);
    return map;
  }

  function number(text) {
    var value = Number(String(text || "").trim().replace(",", "."));
    return String(text || "").trim() && isFinite(value) ? value : null;
  }

  function pick(element) {
    var lat = document.getElementById(element.dataset.lat);
    var lon = document.getElementById(element.dataset.lon);
    var status = document.getElementById(element.dataset.status);
    if (!lat || !lon) {
      return;
    }
    var map = start(element);
    var pin = null;

    function say(text) {
      if (status) {
        status.textContent = text || "";
      }
    }

    function place(point, fill) {
      if (!pin) {
        pin = L.marker(point, { draggable: true, keyboard: true, title: element.dataset.pin || "", alt: element.dataset.pin || "" });
        pin.on("dragend", function () {
          place(pin.getLatLng(), true);
        });
        pin.addTo(map);
      }
      pin.setLatLng(point);
      if (fill) {
        lat.value = point.lat.toFixed(DECIMALS);
        lon.value = L.Util.wrapNum(point.lng, [-180, 180], true).toFixed(DECIMALS);
        [lat, lon].forEach(function (box) {
          box.dispatchEvent(new Event("change", { bubbles: true }));
        });
        var choice = element.dataset.choose && document.getElementById(element.dataset.choose);
        if (choice) {
          choice.checked = true;
        }
        say(element.dataset.placed);
      }
    }

    function typed() {
      var point = [number(lat.value), number(lon.value)];
      if (point[0] !== null && point[1] !== null && Math.abs(point[0]) <= 90 && Math.abs(point[1]) <= 180) {
        place(L.latLng(point), false);
        return true;
      }
      return false;
    }

    if (typed()) {
      map.setView(pin.getLatLng(), 16);
    }
    map.on("click", function (event) {
      place(event.latlng, true);
    });
    [lat, lon].forEach(function (box) {
      box.addEventListener("input", function () {
        if (typed()) {  // the map goes where the typed point is, close enough to see the street
          map.setView(pin.getLatLng(), Math.max(map.getZoom(), 16));
        }
      });
    });

    if (navigator.geolocation && window.isSecureContext) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary map-locate";
      button.textContent = element.dataset.locate;
      button.addEventListener("click", function () {
        say(element.dataset.locating);
        navigator.geolocation.getCurrentPosition(
          function (position) {
            var point = L.latLng(position.coords.latitude, position.coords.longitude);
            place(point, true);
            map.setView(point, 17);
          },
          function () {
            say(element.dataset.locateFailed);
          },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
        );
      });
      element.parentNode.insertBefore(button, element.nextSibling);
    }
  }

  function groupMarker(group) {
    if (group.count > 1) {
      var size = group.count < 10 ? 30 : group.count < 100 ? 36 : group.count < 1000 ? 42 : 48;
      return L.marker([group.lat, group.lon], {
        icon: L.divIcon({
          className: "map-group",
          html: String(Number(group.count)),
          iconSize: [size, size],
        }),
        title: group.label || String(group.count),
        alt: group.label || String(group.count),
      });
    }
    return L.circleMarker([group.lat, group.lon], { radius: 8, weight: 2, className: "map-point" });
  }

  function points(element) {
    var map = start(element);
    var layer = L.layerGroup().addTo(map);
    var source = element.dataset.source;
    var asked = 0;

    function draw(groups, fit) {
      layer.clearLayers();
      var bounds = [];
      groups.forEach(function (group) {
        var marker = groupMarker(group);
        if (group.count > 1 && group.bounds) {
          marker.on("click", function () {
            var b = group.bounds;
            map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: 18 });
          });
        } else if (group.href) {
          var link = document.createElement("a");
          link.href = group.href;
          link.textContent = group.label || group.href;
          marker.bindPopup(link);
        }
        marker.addTo(layer);
        bounds.push([group.lat, group.lon]);
      });
      if (fit && bounds.length) {
        map.fitBounds(bounds, { maxZoom: 16, padding: [24, 24] });
      }
    }

    if (!source) {
      var data = document.getElementById(element.dataset.points);
      draw(data ? JSON.parse(data.textContent).groups : [], true);
      return;
    }

    function ask(fit) {
      var b = map.getBounds();
      var url = new URL(source, window.location.href);
      if (!fit) {
        url.searchParams.set(
          "bbox",
          [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
            .map(function (v) {
              return v.toFixed(5);
            })
            .join(",")
        );
      }
      url.searchParams.set("zoom", String(map.getZoom()));
      var mine = ++asked;
      fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (answer) {
          return answer.ok ? answer.json() : { groups: [] };
        })
        .then(function (body) {
          if (mine === asked) {
            draw(body.groups || [], fit);
            element.dataset.drawn = String((body.groups || []).length);
          }
        })
        .catch(function () {});
    }

    ask(true);
    map.on("moveend", function () {
      ask(false);
    });
  }

  function init() {
    if (typeof L === "undefined") {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".map[data-map]"), function (element) {
      if (element.dataset.map === "pick") {
        pick(element);
      } else if (element.dataset.map === "points") {
        points(element);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
