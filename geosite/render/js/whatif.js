/* geosite what-if panel: move the weights, re-score every candidate in the page.
 *
 * The kernels below mirror geosite/decision/aggregate.py step by step (same weight
 * normalisation, same order of operations, same special cases), so the scores agree with
 * Python's to rounding. Python decides which methods the browser may recompute
 * (geosite/render/whatif.py, BROWSER_METHODS); a method missing on either side disables
 * the sliders and the panel says why. Data text is only ever set with textContent. */
(function () {
  "use strict";
  var G = (window.geosite = window.geosite || { layers: [] });

  function decode(b64) {
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
    return new Float64Array(bytes.buffer);
  }

  // --- kernels: prepare(M, spec) -> function (w normalised, out) ------------------------
  // M = {s: Float64Array n*c, n, c, complete: Uint8Array}. Rows not complete get NaN.

  function eachRow(M, out, f) {
    var n = M.n;
    for (var i = 0; i < n; i++) out[i] = M.complete[i] ? f(i) : NaN;
  }

  function mapCells(M, f) {
    var a = new Float64Array(M.s.length);
    for (var k = 0; k < a.length; k++) a[k] = f(M.s[k]);
    return a;
  }

  var KERNELS = {
    wlc: function (M) {
      var s = M.s, c = M.c;
      return function (w, out) {
        eachRow(M, out, function (i) {
          var t = 0, o = i * c;
          for (var j = 0; j < c; j++) t += w[j] * s[o + j];
          return t;
        });
      };
    },
    weighted_product: function (M) {
      var c = M.c, s = M.s;
      var logs = mapCells(M, function (v) { return v <= 0 ? 0 : Math.log(v); });
      return function (w, out) {
        eachRow(M, out, function (i) {
          var t = 0, o = i * c, killed = false;
          for (var j = 0; j < c; j++) {
            t += w[j] * logs[o + j];
            if (s[o + j] <= 0 && w[j] > 0) killed = true;
          }
          return killed ? 0 : Math.exp(t);
        });
      };
    },
    owa: function (M, spec) {
      var n = M.n, c = M.c, s = M.s;
      // Positions from highest to lowest score; ties keep criterion order (stable sort).
      var order = new Int32Array(n * c), z = new Float64Array(n * c), idx = [];
      for (var j = 0; j < c; j++) idx.push(j);
      for (var i = 0; i < n; i++) {
        var o = i * c;
        var sorted = idx.slice().sort(function (a, b) {
          return s[o + b] - s[o + a] || a - b;
        });
        for (var k = 0; k < c; k++) {
          order[o + k] = sorted[k];
          z[o + k] = s[o + sorted[k]];
        }
      }
      if (spec.alpha !== null && spec.alpha !== undefined) {
        var alpha = spec.alpha;
        return function (w, out) {
          eachRow(M, out, function (i) {
            var o = i * c, cum = 0, t = 0;
            for (var k = 0; k < c; k++) {
              var u = w[order[o + k]];
              cum += u;
              var prev = cum - u;
              if (prev < 0) prev = 0;
              var top = cum > 1 ? 1 : cum < 0 ? 0 : cum;
              t += (Math.pow(top, alpha) - Math.pow(prev, alpha)) * z[o + k];
            }
            return t;
          });
        };
      }
      var ow = spec.order_weights, total = 0;
      if (!ow || ow.length !== c) return null;
      for (var m = 0; m < c; m++) total += ow[m];
      var own = ow.map(function (v) { return v / total; });
      return function (w, out) {
        var uv = new Float64Array(c);
        eachRow(M, out, function (i) {
          var o = i * c, denom = 0, t = 0;
          for (var k = 0; k < c; k++) {
            uv[k] = w[order[o + k]] * own[k];
            denom += uv[k];
          }
          for (k = 0; k < c; k++) t += (denom > 0 ? uv[k] / denom : 0) * z[o + k];
          return t;
        });
      };
    },
    fuzzy_and: function (M) {
      return fuzzyMinMax(M, false);
    },
    fuzzy_or: function (M) {
      return fuzzyMinMax(M, true);
    },
    fuzzy_gamma: function (M, spec) {
      var c = M.c, s = M.s, g = spec.gamma;
      var logS = mapCells(M, function (v) { return v <= 0 ? 0 : Math.log(v); });
      var logC = mapCells(M, function (v) { return v >= 1 ? 0 : Math.log(1 - v); });
      return function (w, out) {
        eachRow(M, out, function (i) {
          var o = i * c, ls = 0, j;
          if (g < 1) {
            var lp = 0, killed = false;
            for (j = 0; j < c; j++) {
              if (!(w[j] > 0)) continue;
              lp += logS[o + j];
              if (s[o + j] <= 0) killed = true;
            }
            ls += (1 - g) * (killed ? -Infinity : lp);
          }
          if (g > 0) {
            var lc = 0, full = false;
            for (j = 0; j < c; j++) {
              if (!(w[j] > 0)) continue;
              lc += logC[o + j];
              if (s[o + j] >= 1) full = true;
            }
            ls += g * (full ? 0 : Math.log(-Math.expm1(lc)));
          }
          return Math.exp(ls);
        });
      };
    },
    topsis: function (M) {
      // Normalisation and ideal points do not depend on the weights: computed once, over
      // every candidate with all scores (excluded ones too, as in Python).
      var n = M.n, c = M.c, s = M.s, i, j;
      var norm = new Float64Array(c), hi = new Float64Array(c), lo = new Float64Array(c);
      for (i = 0; i < n; i++) {
        if (!M.complete[i]) continue;
        for (j = 0; j < c; j++) norm[j] += s[i * c + j] * s[i * c + j];
      }
      for (j = 0; j < c; j++) {
        norm[j] = Math.sqrt(norm[j]);
        hi[j] = -Infinity;
        lo[j] = Infinity;
      }
      var r = mapCells(M, function () { return 0; });
      for (i = 0; i < n; i++) {
        if (!M.complete[i]) continue;
        for (j = 0; j < c; j++) {
          var v = norm[j] > 0 ? s[i * c + j] / norm[j] : 0;
          r[i * c + j] = v;
          if (v > hi[j]) hi[j] = v;
          if (v < lo[j]) lo[j] = v;
        }
      }
      var P = new Float64Array(n * c), Q = new Float64Array(n * c);
      for (i = 0; i < n; i++) {
        for (j = 0; j < c; j++) {
          var k = i * c + j;
          P[k] = (r[k] - hi[j]) * (r[k] - hi[j]);
          Q[k] = (r[k] - lo[j]) * (r[k] - lo[j]);
        }
      }
      return function (w, out) {
        var w2 = w.map(function (v) { return v * v; });
        eachRow(M, out, function (i) {
          var o = i * c, dp = 0, dm = 0;
          for (var j = 0; j < c; j++) {
            dp += w2[j] * P[o + j];
            dm += w2[j] * Q[o + j];
          }
          dp = Math.sqrt(dp);
          dm = Math.sqrt(dm);
          var total = dp + dm;
          return total > 0 ? dm / total : 0.5;
        });
      };
    },
  };

  function fuzzyMinMax(M, useMax) {
    var c = M.c, s = M.s;
    return function (w, out) {
      eachRow(M, out, function (i) {
        var best = useMax ? -Infinity : Infinity, o = i * c;
        for (var j = 0; j < c; j++) {
          if (!(w[j] > 0)) continue;
          var v = s[o + j];
          if (useMax ? v > best : v < best) best = v;
        }
        return best;
      });
    };
  }

  // --- weights: a tree of sibling sets, each summing to 1 --------------------------------

  function resolve(items, out) {
    // Group weight x weight within the group, inner product first, as
    // geosite.decision.weights resolves (nested) groups.
    items.forEach(function (node) {
      if (!node.items) {
        out[node.criterion] = node.value;
        return;
      }
      var inner = resolve(node.items, {});
      Object.keys(inner).forEach(function (j) { out[j] = node.value * inner[j]; });
    });
    return out;
  }

  function leafValues(items, out) {
    items.forEach(function (node) {
      if (node.items) leafValues(node.items, out);
      else out[node.criterion] = node.value;
    });
    return out;
  }

  function finalWeights(state) {
    var byIndex = resolve(state.tree, {}), raw = [], total = 0, j;
    for (j = 0; j < state.c; j++) raw.push(byIndex[j]);
    for (j = 0; j < state.c; j++) total += raw[j];
    return raw.map(function (v) { return v / total; });
  }

  function setShare(siblings, node, x) {
    x = Math.min(1, Math.max(0, x));
    var rest = 0;
    siblings.forEach(function (o) { if (o !== node) rest += o.value; });
    siblings.forEach(function (o) {
      if (o === node) return;
      o.value = rest > 0 ? (o.value * (1 - x)) / rest : (1 - x) / (siblings.length - 1);
    });
    node.value = x;
  }

  // --- ranking ---------------------------------------------------------------------------

  function rankAll(state) {
    var totals = state.totals, ids = state.ids, order = [];
    for (var i = 0; i < state.n; i++) if (state.eligible[i]) order.push(i);
    order.sort(function (a, b) {
      var d = totals[b] - totals[a];
      if (d !== 0) return d;
      return ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0;
    });
    var ranks = new Array(state.n).fill(null);
    for (var k = 0; k < order.length; k++) {
      var i2 = order[k];
      ranks[i2] = k > 0 && totals[i2] === totals[order[k - 1]] ? ranks[order[k - 1]] : k + 1;
    }
    state.order = order;
    state.ranks = ranks;
  }

  function clip(v) {
    return v < 0 ? 0 : v > 1 ? 1 : v;
  }

  function classOf(edges, v) {
    var k = 0;
    while (k < edges.length && edges[k] < v) k++;
    return k;
  }

  // --- YAML ------------------------------------------------------------------------------

  function yamlNumber(x) {
    var t = String(x);
    // PyYAML reads 1e-07 as a string; 1.0e-07 is a float.
    if (t.indexOf("e") >= 0 && t.indexOf(".") < 0) t = t.replace("e", ".0e");
    return t;
  }

  function oneLine(text) {
    return String(text).replace(/\s+/g, " ");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) {
      return k in values ? values[k] : m;
    });
  }

  function yamlGroups(items, pad, lines) {
    lines.push(pad + "method: groups");
    lines.push(pad + "group_weighting: {method: direct}");
    lines.push(pad + "groups:");
    items.forEach(function (g) {
      lines.push(pad + "  - name: " + JSON.stringify(g.name));
      lines.push(pad + "    weight: " + yamlNumber(g.value));
      if (g.items[0].items) {
        lines.push(pad + "    weighting:");
        yamlGroups(g.items, pad + "      ", lines);
      } else {
        lines.push(pad + "    weighting: {method: direct}");
      }
    });
  }

  function toYaml(state) {
    var p = state.payload, t = p.text;
    var values = { name: oneLine(p.scenario), file: p.fileName, base: p.nextTo || "" };
    var lines = ["# " + fill(t.yaml_head, values)];
    lines.push("# " + fill(p.nextTo ? t.yaml_save : t.yaml_save_anywhere, values));
    lines.push("#   geosite run " + p.fileName + " --out " + p.fileName.replace(/\.yaml$/, ""));
    lines.push("version: 1");
    lines.push("extends: " + JSON.stringify(p.extends));
    lines.push("name: " + JSON.stringify(p.yamlName));
    lines.push("weighting:");
    if (p.grouped) yamlGroups(state.tree, "  ", lines);
    else lines.push("  method: direct");
    lines.push("criteria:");
    var within = leafValues(state.tree, {});
    p.criteria.forEach(function (name, j) {
      lines.push("  - {name: " + name + ", weight: " + yamlNumber(within[j]) + "}");
    });
    return lines.join("\n") + "\n";
  }

  // --- the panel -------------------------------------------------------------------------

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function WhatIf(map, d, p) {
    var state = this;
    this.map = map;
    this.d = d;
    this.payload = p;
    this.n = p.n;
    this.c = p.criteria.length;
    this.ids = p.ids;
    this.eligible = new Uint8Array(p.n);
    for (var i = 0; i < p.n; i++) this.eligible[i] = p.eligible.charCodeAt(i) === 49;
    var s = decode(p.scores), complete = new Uint8Array(p.n);
    for (i = 0; i < p.n; i++) {
      complete[i] = 1;
      for (var j = 0; j < this.c; j++) if (!isFinite(s[i * this.c + j])) complete[i] = 0;
    }
    this.M = { s: s, n: p.n, c: this.c, complete: complete };
    this.edges = p.bins.slice(0, -1).map(function (b) { return b + 1e-12; });
    this.tree = JSON.parse(JSON.stringify(p.tree));
    (function init(items) {
      items.forEach(function (node) {
        node.value = node.weight;
        if (node.items) init(node.items);
      });
    })(this.tree);
    var spec = p.aggregation;
    var make = spec && Object.prototype.hasOwnProperty.call(KERNELS, spec.method) ?
      KERNELS[spec.method] : null;
    this.kernel = make ? make(this.M, spec) : null;
    this.supported = !!this.kernel;
    this.totals = new Float64Array(p.n);
    this.base = {
      rank: d.rows.rank.slice(),
      total: d.rows.total.slice(),
      cls: d.rows.cls.slice(),
      contrib: d.rows.contrib,
      margin: d.rows.margin,
      weights: d.criteria.map(function (c) { return c.weight; }),
    };
    this.modified = false;
    this.shapes = {};
    G.layers.forEach(function (entry) {
      if ((entry.kind === "candidates" || entry.kind === "excluded") &&
          entry.scenario === d.scenario) {
        entry.layer.eachLayer(function (shape) {
          state.shapes[shape.feature.properties.i] = shape;
        });
      }
      if (entry.kind === "labels" && entry.scenario === d.scenario) state.labels = entry.layer;
    });
    this.build();
    this.recompute();
    this.modified = false;
  }

  WhatIf.prototype.weights = function () {
    return finalWeights(this);
  };

  WhatIf.prototype.recompute = function () {
    if (!this.supported) return;
    this.kernel(this.weights(), this.totals);
    var t = this.totals;
    for (var i = 0; i < this.n; i++) if (t[i] < 0) t[i] = 0; else if (t[i] > 1) t[i] = 1;
    rankAll(this);
    this.modified = true;
    this.paint();
  };

  WhatIf.prototype.paint = function () {
    var d = this.d, rows = d.rows, drawn = this.payload.drawn, self = this;
    var at = this.isScenario();
    for (var i = 0; i < drawn; i++) {
      if (!this.eligible[i]) continue;
      var cls = classOf(this.edges, this.totals[i]);
      rows.rank[i] = at ? this.base.rank[i] : this.ranks[i];
      rows.total[i] = at ? this.base.total[i] : this.totals[i];
      if (rows.cls[i] !== cls) {
        rows.cls[i] = cls;
        var shape = this.shapes[i];
        if (shape) shape.setStyle(G.style(d, i));
      }
    }
    var w = this.weights();
    d.criteria.forEach(function (c, j) { c.weight = at ? self.base.weights[j] : w[j]; });
    // Contributions are recomputed when a card opens; margins to the next rank are the
    // scenario's only, so they are not shown for other weights.
    rows.contrib = at ? this.base.contrib : this.contribRows;
    rows.margin = at ? this.base.margin : this.blank;
    this.relabel();
    this.legend();
    this.table();
    this.status.textContent = at ? "" : this.payload.text.modified;
  };

  WhatIf.prototype.isScenario = function () {
    var same = true;
    (function walk(items) {
      items.forEach(function (node) {
        if (node.value !== node.weight) same = false;
        if (node.items) walk(node.items);
      });
    })(this.tree);
    return same;
  };

  WhatIf.prototype.relabel = function () {
    if (!this.labels) return;
    var p = this.payload, group = this.labels, self = this;
    var shown = this.order.filter(function (i) { return i < p.drawn; });
    for (var i = 0; i < p.drawn && shown.length < p.maxLabels; i++) {
      if (!this.eligible[i]) shown.push(i);
    }
    // Markers are moved and relabelled, not rebuilt: fewer page changes per move.
    if (!this.markers) {
      group.clearLayers();
      this.markers = [];
    }
    var markers = this.markers;
    shown = shown.slice(0, p.maxLabels);
    shown.forEach(function (i, k) {
      var text = self.eligible[i] ? "#" + self.ranks[i] : "\u00d7";
      var at = [p.labels[2 * i], p.labels[2 * i + 1]];
      if (k < markers.length) {
        markers[k].setLatLng(at);
        var icon = markers[k].getElement();
        if (icon) icon.textContent = text;
        markers[k].options.icon.options.html = text;
        return;
      }
      markers.push(L.marker(at, {
        icon: L.divIcon({ className: "geosite-rank", html: text, iconSize: [34, 16],
          iconAnchor: [17, 22] }),
        interactive: false,
        keyboard: false,
      }).addTo(group));
    });
    while (markers.length > shown.length) group.removeLayer(markers.pop());
    G.placeLabels(group);
  };

  WhatIf.prototype.contribRow = function (i) {
    // The meanings of geosite.decision.aggregate.contributions, per method.
    var c = this.c, s = this.M.s, o = i * c, w = this.weights(), out = [], j, k;
    var spec = this.payload.aggregation, m = spec.method;
    for (j = 0; j < c; j++) out.push(null);
    if (!this.M.complete[i]) return out;
    if (m === "wlc") {
      for (j = 0; j < c; j++) out[j] = w[j] * s[o + j];
    } else if (m === "weighted_product") {
      for (j = 0; j < c; j++) out[j] = w[j] > 0 ? w[j] * Math.log(s[o + j]) : 0;
    } else if (m === "fuzzy_and" || m === "fuzzy_or") {
      var best = m === "fuzzy_or" ? -Infinity : Infinity, hits = 0;
      for (j = 0; j < c; j++) {
        if (w[j] > 0 && (m === "fuzzy_or" ? s[o + j] > best : s[o + j] < best)) best = s[o + j];
      }
      for (j = 0; j < c; j++) if (w[j] > 0 && s[o + j] === best) hits += 1;
      for (j = 0; j < c; j++) out[j] = w[j] > 0 && s[o + j] === best ? best / hits : 0;
    } else if (m === "owa") {
      var idx = [];
      for (j = 0; j < c; j++) idx.push(j);
      idx.sort(function (a, b) { return s[o + b] - s[o + a] || a - b; });
      var v = [], cum = 0, denom = 0, ow = spec.order_weights, total = 0;
      if (ow) ow.forEach(function (x) { total += x; });
      for (k = 0; k < c; k++) {
        var u = w[idx[k]];
        if (spec.alpha !== null && spec.alpha !== undefined) {
          cum += u;
          var top = cum > 1 ? 1 : cum < 0 ? 0 : cum, prev = cum - u < 0 ? 0 : cum - u;
          v.push(Math.pow(top, spec.alpha) - Math.pow(prev, spec.alpha));
        } else {
          v.push(u * (ow[k] / total));
          denom += v[k];
        }
      }
      for (k = 0; k < c; k++) {
        var eff = spec.alpha !== null && spec.alpha !== undefined ? v[k] :
          denom > 0 ? v[k] / denom : 0;
        out[idx[k]] = eff * s[o + idx[k]];
      }
    } else {
      // Leave one out: the total minus the total without criterion j (the others' weights
      // renormalised, every other candidate still in), as Python computes it.
      var all = new Float64Array(this.n), rest = new Float64Array(this.n);
      this.kernel(w, all);
      for (j = 0; j < c; j++) {
        var sum = 0;
        for (k = 0; k < c; k++) if (k !== j) sum += w[k];
        if (!(sum > 0)) {
          out[j] = all[i];
          continue;
        }
        var wj = w.map(function (x, q) { return q === j ? 0 : x / sum; });
        this.kernel(wj, rest);
        out[j] = clip(all[i]) - clip(rest[i]);
      }
    }
    return out;
  };

  WhatIf.prototype.legend = function () {
    // The legend counts candidates per colour class: keep its counts true. Rows are found
    // by their swatch's colour; a legend without such counts is left as it is.
    var legend = this.map.getContainer().querySelector(".geosite-legend");
    if (!legend) return;
    var counts = this.d.palette.map(function () { return 0; });
    for (var i = 0; i < this.n; i++) {
      if (this.eligible[i]) counts[classOf(this.edges, this.totals[i])] += 1;
    }
    var group = this.payload.group, palette = this.d.palette;
    Array.prototype.forEach.call(legend.querySelectorAll("i"), function (swatch) {
      var k = palette.findIndex(function (c) {
        return (swatch.getAttribute("style") || "").indexOf(c) >= 0;
      });
      var label = swatch.nextSibling;
      if (k < 0 || !label || label.nodeType !== 3) return;
      var n = String(counts[k]).replace(/\B(?=(\d{3})+(?!\d))/g, group);
      label.textContent = label.textContent.replace(/\([\d.,\s]+\)\s*$/, "(" + n + ")");
    });
  };

  WhatIf.prototype.name = function (i) {
    var p = this.payload;
    return i < p.drawn ? this.d.rows.name[i] : p.extraNames[i - p.drawn];
  };

  WhatIf.prototype.fmt = function (v, digits) {
    return G.num(this.d, v, digits);
  };

  WhatIf.prototype.percent = function (v) {
    return this.fmt(100 * v, 1);
  };

  WhatIf.prototype.table = function () {
    var p = this.payload, t = p.text, body = this.tbody, self = this;
    body.textContent = "";
    this.order.slice(0, p.rows).forEach(function (i) {
      var tr = el("tr");
      var move = p.rank0[i] - self.ranks[i];
      var moveCell = el("td", "n " + (move > 0 ? "up" : move < 0 ? "down" : ""),
        move > 0 ? "\u25b2" + move : move < 0 ? "\u25bc" + -move : "\u2013");
      if (p.rank0[i] === null) moveCell.textContent = t.new;
      tr.appendChild(el("td", "n", String(self.ranks[i])));
      tr.appendChild(moveCell);
      tr.appendChild(el("td", "", self.name(i)));
      tr.appendChild(el("td", "n", self.fmt(self.totals[i], 3)));
      tr.dataset.i = i;
      if (self.shapes[i]) {
        tr.className = "go";
        tr.addEventListener("click", function () {
          var shape = self.shapes[i];
          self.map.fitBounds(shape.getBounds(), { maxZoom: 14 });
          shape.openPopup(shape.getBounds().getCenter());
        });
      }
      body.appendChild(tr);
    });
  };

  WhatIf.prototype.sync = function () {
    var self = this;
    this.controls.forEach(function (ctl) {
      ctl.range.value = String(ctl.node.value);
      ctl.box.value = self.percent(ctl.node.value);
    });
  };

  WhatIf.prototype.set = function (siblings, node, x) {
    setShare(siblings, node, x);
    this.sync();
    this.recompute();
  };

  WhatIf.prototype.reset = function () {
    (function walk(items) {
      items.forEach(function (node) {
        node.value = node.weight;
        if (node.items) walk(node.items);
      });
    })(this.tree);
    this.sync();
    this.recompute();
  };

  WhatIf.prototype.parse = function (text) {
    var g = this.payload.group, dec = this.d.decimal;
    var clean = String(text).replace(/[\s%]/g, "").split(g).join("").replace(dec, ".");
    return parseFloat(clean) / 100;
  };

  WhatIf.prototype.slider = function (parent, siblings, node, depth) {
    var p = this.payload, t = p.text, self = this, id = "geosite-wi-" + this.controls.length;
    var row = el("div", "gw-row" + (node.items ? " gw-group" : ""));
    row.style.paddingLeft = 8 * depth + "px";
    var top = el("div", "gw-top");
    var label = el("label", "gw-label", node.items ? node.title + " (" + t.group + ")" : node.title);
    label.htmlFor = id;
    label.title = label.textContent;
    var mark = el("span", "gw-mark", fill(t.scenario_mark, { value: this.percent(node.weight) }));
    top.appendChild(label);
    top.appendChild(mark);
    var range = el("input", "gw-range");
    range.type = "range";
    range.id = id;
    range.min = "0";
    range.max = "1";
    range.step = "any";
    range.setAttribute("list", id + "-mark");
    // The scenario's weight, drawn as a tick on the slider.
    var marks = el("datalist");
    marks.id = id + "-mark";
    var opt = el("option");
    opt.value = String(node.weight);
    marks.appendChild(opt);
    var box = el("input", "gw-num");
    box.type = "text";
    box.inputMode = "decimal";
    box.setAttribute("aria-label", node.title);
    range.disabled = box.disabled = !this.supported || siblings.length < 2;
    range.addEventListener("input", function () {
      self.set(siblings, node, parseFloat(range.value));
    });
    box.addEventListener("change", function () {
      var x = self.parse(box.value);
      if (isFinite(x)) self.set(siblings, node, x);
      else self.sync();
    });
    var line = el("div", "gw-line");
    line.appendChild(range);
    line.appendChild(box);
    line.appendChild(el("span", "gw-pc", "%"));
    row.appendChild(top);
    row.appendChild(line);
    row.appendChild(marks);
    parent.appendChild(row);
    this.controls.push({ node: node, range: range, box: box });
    if (node.items) {
      node.items.forEach(function (child) {
        self.slider(parent, node.items, child, depth + 1);
      });
    }
  };

  WhatIf.prototype.build = function () {
    var p = this.payload, t = p.text, self = this;
    this.controls = [];
    this.blank = this.d.rows.name.map(function () { return new Array(self.c).fill(null); });
    this.contribRows = new Proxy([], {
      get: function (target, key) {
        return typeof key === "string" && /^\d+$/.test(key) ? self.contribRow(+key) : target[key];
      },
    });
    var control = L.control({ position: "topright" });
    var box = el("div", "geosite-whatif collapsed");
    var head = el("button", "gw-head", "\u2696 " + t.title);
    head.type = "button";
    head.title = t.open;
    head.setAttribute("aria-expanded", "false");
    var body = el("div", "gw-body");
    head.addEventListener("click", function () {
      var open = box.classList.toggle("collapsed") === false;
      head.setAttribute("aria-expanded", String(open));
      head.title = open ? t.close : t.open;
      self.fit();
      self.padPopups(open);
    });
    box.appendChild(head);
    box.appendChild(body);
    body.appendChild(el("div", "gw-method", fill(t.method, { method: p.methodLabel })));
    if (!this.supported) {
      body.appendChild(el("div", "gw-warn", fill(t.unsupported, { method: p.methodLabel })));
    } else {
      body.appendChild(el("div", "gw-note", t.note));
    }
    var sliders = el("div", "gw-sliders");
    this.tree.forEach(function (node) {
      self.slider(sliders, self.tree, node, 0);
    });
    body.appendChild(sliders);
    var buttons = el("div", "gw-buttons");
    var reset = el("button", "gw-reset", t.reset);
    reset.type = "button";
    reset.disabled = !this.supported;
    reset.addEventListener("click", function () { self.reset(); });
    var copy = el("button", "gw-copy", t.copy);
    copy.type = "button";
    copy.disabled = !this.supported || !p.extends;
    if (!p.extends) copy.title = t.no_file;
    var yaml = el("textarea", "gw-yaml");
    yaml.readOnly = true;
    yaml.rows = 8;
    yaml.hidden = true;
    var said = el("div", "gw-said");
    copy.addEventListener("click", function () { self.copy(yaml, said); });
    buttons.appendChild(reset);
    buttons.appendChild(copy);
    body.appendChild(buttons);
    body.appendChild(said);
    body.appendChild(yaml);
    this.status = el("div", "gw-status");
    body.appendChild(this.status);
    var table = el("table", "gw-table");
    var headRow = el("tr");
    [t.rank, t.move, t.name, t.score].forEach(function (h) { headRow.appendChild(el("th", "", h)); });
    var thead = el("thead");
    thead.appendChild(headRow);
    table.appendChild(thead);
    this.tbody = el("tbody");
    table.appendChild(this.tbody);
    body.appendChild(table);
    if (p.n > p.drawn) {
      body.appendChild(el("div", "gw-note", fill(t.beyond, { n: String(p.n - p.drawn) })));
    }
    control.onAdd = function () {
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    this.box = box;
    this.body = body;
    // Added once the page's other controls are: the layer control stays above the panel.
    setTimeout(function () {
      control.addTo(self.map);
    }, 0);
    this.map.on("resize", function () { self.fit(); });
    this.sync();
    // A popup opened beside the open panel is panned clear of it, or the panel folds.
    this.map.on("popupopen", function (e) {
      setTimeout(function () { self.clear(e.popup); }, 400);
    });
  };

  WhatIf.prototype.fit = function () {
    // Keep clear of the legend and the attribution in the bottom-right corner.
    var map = this.map.getContainer().getBoundingClientRect();
    var corner = this.map._controlCorners.bottomright.getBoundingClientRect();
    var top = this.body.getBoundingClientRect().top || this.box.getBoundingClientRect().bottom;
    var room = Math.max(map.bottom, 0) - top - corner.height - 16;
    this.body.style.maxHeight = Math.max(140, room) + "px";
  };

  WhatIf.prototype.padPopups = function (open) {
    var width = open ? this.box.getBoundingClientRect().width + 16 : 0;
    L.Popup.prototype.options.autoPanPaddingTopRight = open ? [width, 10] : null;
  };

  WhatIf.prototype.clear = function (popup) {
    if (this.box.classList.contains("collapsed") || !popup.isOpen()) return;
    var a = popup.getElement().getBoundingClientRect(), b = this.box.getBoundingClientRect();
    var over = a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
    if (over) this.box.querySelector(".gw-head").click();
  };

  WhatIf.prototype.copy = function (area, said) {
    var text = toYaml(this), t = this.payload.text;
    area.value = text;
    area.hidden = false;
    this.yaml = text;
    var done = function () { said.textContent = fill(t.copied, { file: self.payload.fileName }); };
    var self = this;
    var fallback = function () {
      area.focus();
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      said.textContent = ok ? fill(t.copied, { file: self.payload.fileName }) : t.copy_failed;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  };

  /** Plain numbers of the panel, for tests and scripts (full precision; NaN as null). */
  WhatIf.prototype.state = function () {
    var fin = function (v) { return isFinite(v) ? v : null; };
    return {
      supported: this.supported,
      method: this.payload.aggregation && this.payload.aggregation.method,
      modified: !this.isScenario(),
      weights: this.supported ? this.weights() : null,
      totals: this.supported ? Array.prototype.map.call(this.totals, fin) : null,
      ranks: this.ranks ? this.ranks.slice() : null,
      order: this.order ? this.order.slice() : null,
      yaml: this.payload.extends ? toYaml(this) : null,
    };
  };

  G.whatIfKernels = KERNELS;
  G.whatIfPanels = [];
  G.whatIf = function (map, d, payload) {
    var panel = new WhatIf(map, d, payload);
    G.whatIfPanels.push(panel);
    return panel;
  };
})();
