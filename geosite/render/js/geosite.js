/* geosite map runtime: candidate layers styled and explained from compact data.
 * Styles come from a feature property looked up in small tables, never from one
 * generated case per feature, so a map of 10,000 candidates stays small and fast.
 * Every text that comes from data goes through esc() before it reaches the page. */
(function () {
  "use strict";
  var G = (window.geosite = window.geosite || { layers: [] });
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  G.esc = function (s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return ENTITIES[c];
    });
  };

  G.num = function (d, v, digits) {
    if (v === null || v === undefined || !isFinite(v)) return d.missing;
    return v.toFixed(digits).replace(".", d.decimal);
  };

  G.tip = function (d, i) {
    var r = d.rows;
    var status = r.rank[i] !== null ? " &middot; #" + r.rank[i] : " &middot; " + G.esc(d.text.excluded);
    return G.esc(r.name[i]) + status;
  };

  G.card = function (d, i) {
    var r = d.rows, t = d.text, h = [];
    h.push('<div class="geosite-scorecard"><b>' + G.esc(r.name[i]) + "</b><br><small>" +
      G.esc(t.id) + " " + G.esc(r.id[i]) + "</small><br>");
    if (r.rank[i] !== null) {
      h.push(G.esc(t.rank) + " <b>" + r.rank[i] + "</b> &middot; " + G.esc(t.total) +
        " <b>" + G.num(d, r.total[i], 3) + "</b>");
    } else {
      h.push("<b>" + G.esc(t.excluded) + "</b>: " + G.esc(r.reason[i]));
    }
    h.push('<table class="geosite-card"><tr><th>' + G.esc(t.criterion) + "</th><th>" +
      G.esc(t.raw) + "</th><th>" + G.esc(t.score) + "</th><th>" + G.esc(t.weight) +
      "</th><th>" + G.esc(t.contribution) + "</th><th>" + G.esc(t.margin) + "</th></tr>");
    d.criteria.forEach(function (c, j) {
      var s = r.score[i][j];
      var width = s === null ? 0 : Math.round(60 * s);
      var to = r.to && r.to[i][j] ? '<br><small class="geosite-to">' + G.esc(r.to[i][j]) + "</small>" : "";
      h.push("<tr><td>" + G.esc(c.title) + to + '</td><td class="n">' + G.esc(r.raw[i][j]) +
        '</td><td class="n"><span class="geosite-bar" style="width:' + width + 'px"></span>' +
        G.num(d, s, 2) + '</td><td class="n">' + G.num(d, c.weight, 2) + '</td><td class="n">' +
        G.num(d, r.contrib[i][j], 3) + '</td><td class="n">' +
        (r.margin[i][j] === null ? "&ndash;" : G.esc(r.margin[i][j])) + "</td></tr>");
    });
    h.push("</table>");
    if (r.note && r.note[i]) h.push('<small class="geosite-bound">' + G.esc(r.note[i]) + "</small>");
    h.push("</div>");
    return h.join("");
  };

  G.style = function (d, i) {
    var c = d.rows.cls[i];
    return {
      fillColor: c < 0 ? d.excludedColour : d.palette[c],
      color: c < 0 ? "#616161" : "#202020",
      weight: 1,
      dashArray: c < 0 ? "3 3" : null,
      fillOpacity: c < 0 ? 0.45 : 0.8,
      className: "geosite-candidate",
    };
  };

  G.candidateLayer = function (d, features, opts) {
    var layer = L.geoJSON(features, {
      style: function (f) {
        return G.style(d, f.properties.i);
      },
      onEachFeature: function (f, l) {
        var i = f.properties.i;
        l.bindPopup(function () {
          return G.card(d, i);
        }, { maxWidth: 600 });
        l.bindTooltip(function () {
          return G.tip(d, i);
        }, { sticky: true });
      },
    });
    G.layers.push({ kind: opts.kind, key: opts.kind, scenario: d.scenario, name: opts.name,
      layer: layer, count: features.features.length });
    return layer;
  };

  /* Rank labels never overlap: labels are placed best rank first, and a label that would
   * touch one already placed joins it ("#1 #2", runs as "#3–5"), at the place of the better
   * rank; a merged label is wider, so it may join others in turn. Redone at every zoom and
   * whenever the labels change (the what-if panel re-ranks them). */
  var LABEL_HEIGHT = 16, LABEL_LIFT = 22, LABEL_GAP = 2;

  function labelWidth(text) {
    return Math.max(34, 7 * text.length + 10);
  }

  function labelRank(text) {
    var m = /^#(\d+)$/.exec(text);
    return m ? +m[1] : Infinity;
  }

  function labelText(ranks, crosses) {
    var parts = [], k = 0;
    while (k < ranks.length) {
      var j = k;
      while (j + 1 < ranks.length && ranks[j + 1] === ranks[j] + 1) j++;
      parts.push(j > k + 1 ? "#" + ranks[k] + "\u2013" + ranks[j]
        : j === k + 1 ? "#" + ranks[k] + " #" + ranks[j] : "#" + ranks[k]);
      k = j + 1;
    }
    for (k = 0; k < crosses; k++) parts.push("\u00d7");
    return parts.join(" ");
  }

  G.placeLabels = function (group) {
    var map = group._map;
    if (!map) return;
    var items = [];
    group.eachLayer(function (m) {
      var el = m.getElement();
      if (!el) return;
      var text = String(m.options.icon.options.html);
      items.push({ marker: m, el: el, rank: labelRank(text), at: map.latLngToLayerPoint(m.getLatLng()) });
    });
    items.sort(function (a, b) { return a.rank - b.rank; });
    function box(g) {
      var w = labelWidth(labelText(g.ranks, g.crosses));
      return { l: g.at.x - w / 2 - LABEL_GAP, r: g.at.x + w / 2 + LABEL_GAP,
        t: g.at.y - LABEL_LIFT - LABEL_GAP, b: g.at.y - LABEL_LIFT + LABEL_HEIGHT + LABEL_GAP };
    }
    function best(g) {
      return g.ranks.length ? g.ranks[0] : Infinity;
    }
    function touch(a, b) {
      return a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
    }
    var groups = [];
    items.forEach(function (it) {
      var g = { lead: it, at: it.at, ranks: isFinite(it.rank) ? [it.rank] : [],
        crosses: isFinite(it.rank) ? 0 : 1, members: [it] };
      var merged = true;
      while (merged) {
        merged = false;
        for (var k = 0; k < groups.length; k++) {
          if (!touch(box(groups[k]), box(g))) continue;
          // The better ranked of the two keeps its place; the other joins it.
          var other = groups[k], into = best(other) <= best(g) ? other : g;
          var out = into === g ? other : g;
          into.ranks = into.ranks.concat(out.ranks).sort(function (a, b) { return a - b; });
          into.crosses += out.crosses;
          into.members = into.members.concat(out.members);
          groups.splice(k, 1);
          g = into;
          merged = true;
          break;
        }
      }
      groups.push(g);
    });
    groups.forEach(function (g) {
      var text = labelText(g.ranks, g.crosses), w = labelWidth(text);
      g.members.forEach(function (it) {
        if (it !== g.lead) {
          it.el.style.display = "none";
          return;
        }
        it.el.style.display = "";
        it.el.textContent = text;
        it.el.style.width = w + "px";
        it.el.style.marginLeft = -w / 2 + "px";
        it.el.dataset.ranks = g.ranks.join(" ");
      });
    });
  };

  G.rankLabels = function (d, points, name) {
    var group = L.featureGroup();
    points.forEach(function (p) {
      var i = p[0];
      var text = d.rows.rank[i] !== null ? "#" + d.rows.rank[i] : "\u00d7";
      L.marker([p[1], p[2]], {
        icon: L.divIcon({ className: "geosite-rank", html: text, iconSize: [34, 16], iconAnchor: [17, 22] }),
        interactive: false,
        keyboard: false,
      }).addTo(group);
    });
    G.layers.push({ kind: "labels", key: "labels", scenario: d.scenario, name: name, layer: group,
      count: points.length });
    var place = function () { G.placeLabels(group); };
    group.on("add", function () {
      group._map.on("zoomend viewreset", place);
      place();
    });
    group.on("remove", function (e) {
      e.target._map && e.target._map.off("zoomend viewreset", place);
    });
    return group;
  };

  G.featureLayer = function (geojson, spec) {
    var layer = L.geoJSON(geojson, {
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#222222", weight: 1,
          fillColor: spec.colour, fillOpacity: 0.9 });
      },
      style: function (f) {
        var c = spec.by === "fill" ? f.properties.fill
          : (spec.by && spec.colours[f.properties[spec.by]]) || spec.colour;
        if (f.geometry.type === "Point" || f.geometry.type === "MultiPoint") {
          return { color: "#222222", weight: 1, fillColor: c, fillOpacity: 0.9 };
        }
        return { color: spec.line || c, weight: spec.weight, opacity: 0.9, fillColor: c,
          fillOpacity: spec.fillOpacity, dashArray: spec.dash };
      },
      onEachFeature: function (f, l) {
        if (f.properties.label) l.bindTooltip(G.esc(f.properties.label), { sticky: true });
        // A unit's popup: its name, then one (label, value) row per figure.
        var p = f.properties.popup;
        if (p) {
          var rows = p[1].map(function (r) {
            return "<tr><td>" + G.esc(r[0]) + "</td><td class='n'>" + G.esc(r[1]) + "</td></tr>";
          }).join("");
          l.bindPopup("<div class='geosite-scorecard'><b>" + G.esc(p[0]) +
            "</b><table class='geosite-card'>" + rows + "</table></div>", { maxWidth: 360 });
        }
      },
    });
    G.layers.push({ kind: spec.kind, key: spec.key, name: spec.name, layer: layer,
      count: geojson.features.length });
    return layer;
  };

  /* The legend folds to its title; it starts folded when it would take most of the map. */
  G.legend = function (map, html, title, position) {
    var c = L.control({ position: position });
    c.onAdd = function () {
      var box = L.DomUtil.create("details", "geosite-legend");
      box.innerHTML = "<summary>" + G.esc(title) + "</summary>" + html;
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    c.addTo(map);
    var box = c.getContainer(), size = map.getSize();
    box.open = size.x >= 700 && size.y >= 500;
    // A popup is never under the legend: fold the legend while a popup that it would cover
    // is open, and unfold it again afterwards.
    var folded = false;
    map.on("popupopen", function (e) {
      var el = e.popup.getElement();
      if (!box.open || !el) return;
      var a = el.getBoundingClientRect(), b = box.getBoundingClientRect();
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
        box.open = false;
        folded = true;
      }
    });
    map.on("popupclose", function () {
      if (folded) box.open = true;
      folded = false;
    });
    G.legendBox = box;
    return box;
  };

  /* The words Leaflet and its plugins write in English, in the map's language: titles and
   * texts of the controls as they are added, and the measure tool's results (whose numbers
   * then take the language's decimal mark). A metric scale bar. */
  G.ui = function (map, words, decimal) {
    L.control.scale({ imperial: false }).addTo(map);
    var phrases = Object.keys(words).sort(function (a, b) { return b.length - a.length; });
    if (!phrases.length) return;
    var pattern = new RegExp("\\b(" + phrases.map(function (p) {
      return p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|") + ")\\b", "g");
    var number = /\d[\d,]*(\.\d+)?/g;
    function swap(n) {
      return n.replace(/[,.]/g, function (c) { return c === "," ? (decimal === "," ? "." : ",") : decimal; });
    }
    function measured(el) {
      return !!(el && el.closest && el.closest(".leaflet-control-measure, .leaflet-measure-resultpopup"));
    }
    var written = new WeakMap();  // node -> the text written there: never translated twice
    function text(node) {
      var old = node.nodeValue, now;
      if (written.get(node) === old) return;
      if (measured(node.parentNode)) {
        now = old.replace(pattern, function (p) { return words[p]; });
        if (decimal !== ".") now = now.replace(number, swap);
      } else {
        var key = old.trim();
        now = Object.prototype.hasOwnProperty.call(words, key) ? old.replace(key, words[key]) : old;
      }
      if (now !== old) {
        written.set(node, now);
        node.nodeValue = now;
      }
    }
    function walk(root) {
      if (root.nodeType === 3) { text(root); return; }
      if (root.nodeType !== 1) return;
      [root].concat(Array.prototype.slice.call(root.querySelectorAll("[title]"))).forEach(function (el) {
        var t = el.getAttribute && el.getAttribute("title");
        if (t && Object.prototype.hasOwnProperty.call(words, t)) el.setAttribute("title", words[t]);
      });
      var it = document.createTreeWalker(root, NodeFilter.SHOW_TEXT), n;
      while ((n = it.nextNode())) text(n);
    }
    var box = map.getContainer();
    walk(box);
    new MutationObserver(function (changes) {
      changes.forEach(function (c) {
        if (c.type === "characterData") text(c.target);
        else c.addedNodes.forEach(walk);
      });
    }).observe(box, { childList: true, subtree: true, characterData: true });
  };

  /* The first view: the bounds fitted in the part of the map the legend leaves free, and the
   * attribution folded to one line that unfolds on a click. */
  G.frame = function (map, bounds, label) {
    var attribution = map.attributionControl && map.attributionControl.getContainer();
    var bottom = 12, right = 12;
    if (attribution) {
      L.DomUtil.addClass(attribution, "geosite-attribution");
      attribution.title = label;
      L.DomEvent.on(attribution, "click", function (e) {
        if (e.target.tagName === "A") return;
        L.DomUtil.hasClass(attribution, "open") ? L.DomUtil.removeClass(attribution, "open")
          : L.DomUtil.addClass(attribution, "open");
      });
      bottom += attribution.offsetHeight;
    }
    var box = G.legendBox;
    var size = map.getSize();
    if (box && box.open) {
      var r = box.getBoundingClientRect();
      if (r.width < size.x / 2) right += r.width;
      else bottom += r.height;
    }
    map.fitBounds(bounds, { paddingTopLeft: [56, 24], paddingBottomRight: [right, bottom],
      animate: false });
    G.bounds = bounds;
  };
})();
