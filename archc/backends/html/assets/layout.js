/* archc report: the diagram's layout, computed in the browser so that blocks can expand and
 * collapse without re-running archc. Written for archc; no library.
 *
 * The layout is compositional: every expanded block is laid out on its own as a small
 * layered (Sugiyama-style) drawing of its children (layers, collapsed blocks, and nested
 * expanded blocks, which are boxes of the size their own layout needs). Edges between
 * children get rank-by-rank "dummy" waypoints, as in dot, and an edge that enters or leaves
 * a block runs through waypoints inside each block it crosses. A block's layout therefore
 * depends only on its children, each step sorts with stable keys, and the same state always
 * gives the same picture. Deterministic, no randomness, no time.
 */
"use strict";

var ArchcLayout = (function () {
  var GAP_X = 18;        // between neighbours in one rank
  var GAP_Y = 26;        // between ranks
  var PAD = 10;          // inside a block frame
  var HEAD = 24;         // a block frame's title row
  var DUMMY_W = 8;       // width reserved for an edge passing through a rank
  var SWEEPS = 4;

  // Items are numbers: a node i >= 0, a scope s as -(s + 1).
  function scopeItem(s) { return -(s + 1); }
  function itemScope(item) { return -item - 1; }

  /* The tree (children of each scope in order of their first node), computed once per
   * model. `extra` pseudo-nodes (output markers) sit at the top level after everything. */
  function buildTree(model) {
    var nodes = model.nodes, scopes = model.scopes;
    var children = [], rootChildren = [], seen = new Uint8Array(scopes.length);
    var i, s;
    for (s = 0; s < scopes.length; s++) children.push([]);
    var chains = [];
    for (i = 0; i < nodes.length; i++) {
      var chain = [];
      for (s = nodes[i].scope; s >= 0; s = scopes[s].parent) chain.push(s);
      chain.reverse();
      chains.push(chain);
      for (var k = 0; k < chain.length; k++) {
        var sc = chain[k];
        if (!seen[sc]) {
          seen[sc] = 1;
          (k === 0 ? rootChildren : children[chain[k - 1]]).push(scopeItem(sc));
        }
      }
      (chain.length ? children[chain[chain.length - 1]] : rootChildren).push(i);
    }
    var depth = [];
    for (s = 0; s < scopes.length; s++) {
      var d = 1;
      for (var p = scopes[s].parent; p >= 0; p = scopes[p].parent) d++;
      depth.push(d);
    }
    var edges = [], dedupe = {};
    for (i = 0; i < nodes.length; i++) {
      var ins = nodes[i].inputs;
      for (var j = 0; j < ins.length; j++) {
        var key = ins[j] + ">" + i;
        if (!dedupe[key]) { dedupe[key] = 1; edges.push([ins[j], i]); }
      }
    }
    var markers = [];
    for (var o = 0; o < model.outputs.length; o++) {
      var m = nodes.length + o;
      markers.push(m);
      rootChildren.push(m);
      edges.push([model.outputs[o], m]);
      chains.push([]);
    }
    return { children: children, root: rootChildren, chains: chains, depth: depth,
             edges: edges, markers: markers, n: nodes.length };
  }

  /* The unit a node is drawn in: itself, or its outermost collapsed block. */
  function unitOf(tree, collapsed, i) {
    var chain = tree.chains[i];
    for (var k = 0; k < chain.length; k++) if (collapsed[chain[k]]) return scopeItem(chain[k]);
    return i;
  }

  function parentOf(model, tree, item) {
    if (item >= 0) {
      if (item >= tree.n) return -1;
      return model.nodes[item].scope;
    }
    return model.scopes[itemScope(item)].parent;
  }

  /* [[container, item], ...] from the unit's own container up to the top level. */
  function upChain(model, tree, unit) {
    var out = [], item = unit, c = parentOf(model, tree, unit);
    for (;;) {
      out.push([c, item]);
      if (c < 0) break;
      item = scopeItem(c);
      c = model.scopes[c].parent;
    }
    return out;
  }

  function newContainer() {
    return { inner: [], innerSeen: {}, entries: {}, exits: {}, items: null };
  }

  /* Which edges every container must lay out, and how every drawn edge is routed. */
  function routeEdges(model, tree, collapsed) {
    var containers = {}, routes = [], seen = {};
    function cont(c) { return containers[c] || (containers[c] = newContainer()); }
    for (var e = 0; e < tree.edges.length; e++) {
      var u = unitOf(tree, collapsed, tree.edges[e][0]);
      var v = unitOf(tree, collapsed, tree.edges[e][1]);
      var key = u + ">" + v;
      if (u === v || seen[key]) continue;
      seen[key] = 1;
      var up = upChain(model, tree, u), down = upChain(model, tree, v);
      var downAt = {};
      for (var k = 0; k < down.length; k++) downAt[down[k][0]] = k;
      var lu = 0;
      while (!(up[lu][0] in downAt)) lu++;
      var lv = downAt[up[lu][0]];
      var lca = up[lu][0], a = up[lu][1], b = down[lv][1];
      var c = cont(lca), pair = a + ">" + b;
      if (!c.innerSeen[pair]) { c.innerSeen[pair] = 1; c.inner.push([a, b]); }
      var exits = up.slice(0, lu), entries = down.slice(0, lv).reverse();
      for (k = 0; k < exits.length; k++) cont(exits[k][0]).exits[exits[k][1]] = 1;
      for (k = 0; k < entries.length; k++) cont(entries[k][0]).entries[entries[k][1]] = 1;
      routes.push({ u: u, v: v, exits: exits, lca: lca, a: a, pair: pair, entries: entries,
                    tensor: tree.edges[e][0] });
    }
    return { containers: containers, routes: routes };
  }

  /* Minimal squared displacement from `desired` centres, keeping order and gaps. */
  function place(widths, desired) {
    var blocks = [], n = widths.length, i;
    for (i = 0; i < n; i++) {
      var b = { first: i, last: i, width: widths[i], sum: desired[i] - widths[i] / 2,
                count: 1, offsets: [0] };
      b.pos = b.sum;
      while (blocks.length) {
        var top = blocks[blocks.length - 1];
        if (top.pos + top.width + GAP_X <= b.pos) break;
        var shift = top.width + GAP_X;
        for (var j = 0; j < b.offsets.length; j++) top.offsets.push(b.offsets[j] + shift);
        top.sum += b.sum - shift * b.count;
        top.count += b.count;
        top.width += GAP_X + b.width;
        top.last = b.last;
        top.pos = top.sum / top.count;
        blocks.pop();
        b = top;
      }
      blocks.push(b);
    }
    var x = new Array(n);
    for (var q = 0; q < blocks.length; q++) {
      for (i = blocks[q].first; i <= blocks[q].last; i++) {
        x[i] = blocks[q].pos + blocks[q].offsets[i - blocks[q].first];
      }
    }
    return x;
  }

  /* Lay out one container's children; sizes of the children are known. */
  function layoutContainer(c, items, size, label) {
    var m = items.length, local = {}, i, k, r;
    for (i = 0; i < m; i++) local[items[i]] = i;
    var preds = [], succs = [];
    for (i = 0; i < m; i++) { preds.push([]); succs.push([]); }
    for (k = 0; k < c.inner.length; k++) {
      var a = local[c.inner[k][0]], b = local[c.inner[k][1]];
      if (a === undefined || b === undefined) continue;
      succs[a].push(b); preds[b].push(a);
    }
    var rank = new Array(m), maxRank = 0;
    for (i = 0; i < m; i++) {
      rank[i] = 0;
      for (k = 0; k < preds[i].length; k++) {
        if (preds[i][k] < i) rank[i] = Math.max(rank[i], rank[preds[i][k]] + 1);
      }
      maxRank = Math.max(maxRank, rank[i]);
    }
    // Elements per rank: items and dummies. up/down: neighbour element ids.
    var els = [];
    function addEl(kind, ref, rk, w, h) {
      els.push({ kind: kind, ref: ref, rank: rk, w: w, h: h, up: [], down: [], x: 0, y: 0,
                 order: els.length });
      return els.length - 1;
    }
    for (i = 0; i < m; i++) addEl("item", i, rank[i], size[i][0], size[i][1]);
    function link(p, q) { els[p].down.push(q); els[q].up.push(p); }
    var innerRoute = {}, entryRoute = {}, exitRoute = {};
    function chain(from, to, startEl) {
      var ids = [], prev = startEl;
      for (var rk = from; rk <= to; rk++) {
        var d = addEl("dummy", null, rk, DUMMY_W, 0);
        if (prev !== null) link(prev, d);
        ids.push(d);
        prev = d;
      }
      return ids;
    }
    for (k = 0; k < c.inner.length; k++) {
      var ia = local[c.inner[k][0]], ib = local[c.inner[k][1]];
      if (ia === undefined || ib === undefined) continue;
      var ids = [];
      if (rank[ib] - rank[ia] > 1) {
        ids = chain(rank[ia] + 1, rank[ib] - 1, ia);
        link(ids[ids.length - 1], ib);
      } else if (rank[ib] > rank[ia]) {
        link(ia, ib);
      }
      innerRoute[c.inner[k][0] + ">" + c.inner[k][1]] = ids;
    }
    for (i = 0; i < m; i++) {
      if (c.entries[items[i]] && rank[i] > 0) {
        var en = chain(0, rank[i] - 1, null);
        link(en[en.length - 1], i);
        entryRoute[items[i]] = en;
      }
      if (c.exits[items[i]] && rank[i] < maxRank) exitRoute[items[i]] = chain(rank[i] + 1, maxRank, i);
    }
    var ranks = [];
    for (r = 0; r <= maxRank; r++) ranks.push([]);
    for (k = 0; k < els.length; k++) ranks[els[k].rank].push(k);
    // Crossing reduction: barycentres, stable ties (items before dummies, then creation).
    function pos() { for (var q = 0; q <= maxRank; q++) for (var j = 0; j < ranks[q].length; j++) els[ranks[q][j]].order = j; }
    function sweep(down) {
      var start = down ? 1 : maxRank - 1, stop = down ? maxRank + 1 : -1, step = down ? 1 : -1;
      for (var q = start; q !== stop; q += step) {
        var keyed = ranks[q].map(function (id, j) {
          var nb = down ? els[id].up : els[id].down, sum = 0;
          for (var t = 0; t < nb.length; t++) sum += els[nb[t]].order;
          return [nb.length ? sum / nb.length : j, els[id].kind === "dummy" ? 1 : 0, j, id];
        });
        keyed.sort(function (p, q2) { return p[0] - q2[0] || p[1] - q2[1] || p[2] - q2[2]; });
        ranks[q] = keyed.map(function (t) { return t[3]; });
        for (var j = 0; j < ranks[q].length; j++) els[ranks[q][j]].order = j;
      }
    }
    pos();
    for (var s = 0; s < SWEEPS && maxRank > 0; s++) { sweep(true); sweep(false); }
    // x: start packed, then pull every element towards its neighbours' centres.
    function centre(id) { return els[id].x + els[id].w / 2; }
    for (r = 0; r <= maxRank; r++) {
      var xs = 0;
      for (k = 0; k < ranks[r].length; k++) { els[ranks[r][k]].x = xs; xs += els[ranks[r][k]].w + GAP_X; }
    }
    function align(q, down) {
      var ids = ranks[q], widths = [], desired = [];
      for (var j = 0; j < ids.length; j++) {
        var nb = down ? els[ids[j]].up : els[ids[j]].down, sum = 0;
        for (var t = 0; t < nb.length; t++) sum += centre(nb[t]);
        widths.push(els[ids[j]].w);
        desired.push(nb.length ? sum / nb.length : centre(ids[j]));
      }
      var xs2 = place(widths, desired);
      for (j = 0; j < ids.length; j++) els[ids[j]].x = xs2[j];
    }
    for (s = 0; s < SWEEPS; s++) {
      for (r = 1; r <= maxRank; r++) align(r, true);
      for (r = maxRank - 1; r >= 0; r--) align(r, false);
    }
    for (r = 1; r <= maxRank; r++) align(r, true);
    // y: ranks stacked, each as tall as its tallest item; items at the top of their rank
    // (a short branch beside a tall one starts level with it, as in dot).
    var top = label === null ? 0 : HEAD, minX = Infinity, maxX = -Infinity;
    var rankTop = [], rankH = [];
    for (r = 0; r <= maxRank; r++) {
      var h = 0;
      for (k = 0; k < ranks[r].length; k++) h = Math.max(h, els[ranks[r][k]].h);
      rankTop.push(top); rankH.push(h);
      top += h + GAP_Y;
    }
    for (k = 0; k < els.length; k++) {
      var el = els[k];
      el.y = rankTop[el.rank];
      el.top = rankTop[el.rank]; el.bottom = rankTop[el.rank] + rankH[el.rank];
      minX = Math.min(minX, el.x); maxX = Math.max(maxX, el.x + el.w);
    }
    var pad = label === null ? 0 : PAD;
    var width = Math.max(maxX - minX + 2 * pad, label === null ? 0 : label + 2 * PAD);
    var shift = pad - minX + (width - 2 * pad - (maxX - minX)) / 2;
    for (k = 0; k < els.length; k++) els[k].x += shift;
    function waypoints(ids) {
      var pts = [];
      for (var t = 0; t < ids.length; t++) {
        var d = els[ids[t]];
        pts.push([d.x + d.w / 2, d.top], [d.x + d.w / 2, d.bottom]);
      }
      return pts;
    }
    var result = { items: items, at: [], bottom: [], index: local, w: width, h: top - GAP_Y + pad,
                   inner: {}, entry: {}, exit: {} };
    for (i = 0; i < m; i++) { result.at.push([els[i].x, els[i].y]); result.bottom.push(els[i].bottom); }
    for (var key in innerRoute) result.inner[key] = waypoints(innerRoute[key]);
    for (key in entryRoute) result.entry[key] = waypoints(entryRoute[key]);
    for (key in exitRoute) result.exit[key] = waypoints(exitRoute[key]);
    return result;
  }

  /* The whole drawing for one collapse state. `measure(item, kind)` gives [w, h] of a
   * leaf box and the title width of a frame. */
  function layout(model, tree, collapsed, measure) {
    var routing = routeEdges(model, tree, collapsed);
    var boxes = {};   // item -> {x, y, w, h, frame: bool}
    var layouts = {}; // container -> result (local coordinates)
    function lay(cId, items) {
      var size = [];
      for (var i = 0; i < items.length; i++) {
        var it = items[i];
        if (it < 0 && !collapsed[itemScope(it)]) {
          var sub = lay(itemScope(it), tree.children[itemScope(it)]);
          size.push([sub.w, sub.h]);
        } else {
          size.push(measure(it, "box"));
        }
      }
      var c = routing.containers[cId] || newContainer();
      var res = layoutContainer(c, items, size, cId < 0 ? null : measure(scopeItem(cId), "title")[0]);
      res.size = size;
      layouts[cId] = res;
      return res;
    }
    var root = lay(-1, tree.root);
    function placeAll(cId, ox, oy) {
      var res = layouts[cId];
      res.ox = ox; res.oy = oy;
      for (var i = 0; i < res.items.length; i++) {
        var it = res.items[i], x = ox + res.at[i][0], y = oy + res.at[i][1];
        var frame = it < 0 && !collapsed[itemScope(it)];
        boxes[it] = { x: x, y: y, w: res.size[i][0], h: res.size[i][1], frame: frame };
        if (frame) placeAll(itemScope(it), x, y);
      }
    }
    placeAll(-1, 0, 0);
    function global(cId, pts) {
      var res = layouts[cId], out = [];
      for (var i = 0; i < pts.length; i++) out.push([pts[i][0] + res.ox, pts[i][1] + res.oy]);
      return out;
    }
    /* Straight down to the bottom of the rank `item` sits in: a box shorter than its rank
     * (a one-layer branch beside a three-layer one) must not start a curve that cuts
     * through its taller neighbours. Curves then only cross the free gaps between ranks. */
    function dropOut(pts, cId, item) {
      var res = layouts[cId], y = res.oy + res.bottom[res.index[item]], last = pts[pts.length - 1];
      if (y > last[1] + 0.5) pts.push([last[0], y]);
    }
    var edges = [];
    for (var r = 0; r < routing.routes.length; r++) {
      var rt = routing.routes[r], bu = boxes[rt.u], bv = boxes[rt.v];
      var pts = [[bu.x + bu.w / 2, bu.y + bu.h]];
      var k;
      for (k = 0; k < rt.exits.length; k++) {
        dropOut(pts, rt.exits[k][0], rt.exits[k][1]);
        var ex = layouts[rt.exits[k][0]].exit[rt.exits[k][1]];
        if (ex) pts = pts.concat(global(rt.exits[k][0], ex));
      }
      dropOut(pts, rt.lca, rt.a);
      var inner = layouts[rt.lca].inner[rt.pair];
      if (inner) pts = pts.concat(global(rt.lca, inner));
      for (k = 0; k < rt.entries.length; k++) {
        var en = layouts[rt.entries[k][0]].entry[rt.entries[k][1]];
        if (en) pts = pts.concat(global(rt.entries[k][0], en));
      }
      pts.push([bv.x + bv.w / 2, bv.y]);
      edges.push({ u: rt.u, v: rt.v, tensor: rt.tensor, pts: pts });
    }
    // Spread the arrows into one box over its top edge, ordered by where they come from.
    var into = {};
    for (r = 0; r < edges.length; r++) (into[edges[r].v] = into[edges[r].v] || []).push(edges[r]);
    for (var v in into) {
      var list = into[v];
      if (list.length < 2) continue;
      list.sort(function (p, q) { return p.pts[p.pts.length - 2][0] - q.pts[q.pts.length - 2][0]; });
      var bx = boxes[v], span = Math.min(bx.w * 0.6, 14 * (list.length - 1));
      for (k = 0; k < list.length; k++) {
        list[k].pts[list[k].pts.length - 1][0] = bx.x + bx.w / 2 - span / 2 + span * k / (list.length - 1);
      }
    }
    return { boxes: boxes, edges: edges, w: root.w, h: root.h };
  }

  return { buildTree: buildTree, layout: layout, unitOf: unitOf, scopeItem: scopeItem,
           itemScope: itemScope, place: place };
})();
