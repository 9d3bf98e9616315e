/* kg graph page.
 *
 * Data come from the JSON script element #kg-data and every string in
 * them (labels, evidence, titles, outlets, urls, qualifiers, event participants) is UNTRUSTED: it only
 * ever reaches the DOM through textContent, attribute setters on elements we
 * create, or vis-network's canvas.  Never innerHTML.
 */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var SVG_NS = "http://www.w3.org/2000/svg";

  // ------------------------------------------------------------------ model
  var nodes = DATA.nodes;                       // [{id, label, type, wikidata, degree, vis}]
  var rels = DATA.relations;                    // [{id, s, o, p, date, d0, d1, conf, ev, q, src, edge, event}]
  var events = DATA.events;                     // [{id, p, agent, target, date, d0, dates, conflict, n, conf, reports, elsewhere}]
  var stops = DATA.dates;                       // [{d, d0, d1}] sorted
  var typeStyle = new Map();
  DATA.types.forEach(function (t) { typeStyle.set(t.name, t); });
  var nodeIndex = new Map();
  nodes.forEach(function (n, i) { nodeIndex.set(n.id, i); });
  var nodeRels = nodes.map(function () { return []; });
  var edges = new Map();                        // edge id -> {id, from, to, rels}
  DATA.edges.forEach(function (e) { edges.set(e.id, { id: e.id, from: e.from, to: e.to, rels: [] }); });
  rels.forEach(function (r, i) {
    r.index = i;
    nodeRels[r.s].push(r);
    if (r.o !== r.s) nodeRels[r.o].push(r);
    edges.get(r.edge).rels.push(r);
  });
  var undatedCount = rels.filter(function (r) { return r.d0 === null; }).length;
  var maxOutlets = events.reduce(function (m, e) { return Math.max(m, e.n); }, 1);
  var CORROBORATED = { color: "#0d9488", highlight: "#134e4a", hover: "#0f766e", inherit: false };

  // corroboration of a relation: the outlets reporting its event; one for a relation outside any event
  function outlets(r) { return r.event === null ? 1 : events[r.event].n; }
  function outletCount(n) { return n + (n === 1 ? " outlet" : " outlets"); }

  function norm(s) {
    return String(s).toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "")
      .replace(/\u0131/g, "i").replace(/\s+/g, " ").trim();
  }
  var normLabels = nodes.map(function (n) { return norm(n.label); });

  function defaults() {
    return {
      preds: new Set(DATA.predicates.map(function (p) { return p.name; })),
      types: new Set(DATA.types.map(function (t) { return t.name; })),
      lo: 0,
      hi: Math.max(0, stops.length - 1),
      undated: true,
      minConf: 0,
      minOutlets: 1,
      nbhd: null,        // {center: node index, depth}
    };
  }
  var state = defaults();
  var selected = null;   // {kind: "node"|"edge", id}

  // ------------------------------------------------------------------ DOM helpers
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }

  function safeHttpUrl(u) {
    if (typeof u !== "string") return null;
    var t = u.trim();
    if (!/^https?:\/\//i.test(t)) return null;
    try {
      var parsed = new URL(t);
      if (parsed.protocol === "http:" || parsed.protocol === "https:") return parsed.href;
    } catch (err) { /* not a URL */ }
    return null;
  }
  function wikidataUrl(q) {
    return typeof q === "string" && /^Q[1-9][0-9]*$/.test(q) ? "https://www.wikidata.org/wiki/" + q : null;
  }

  function shapeSwatch(type) {
    var st = typeStyle.get(type) || { color: "#64748b", border: "#334155", shape: "dot" };
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 20 20");
    svg.setAttribute("class", "swatch");
    svg.setAttribute("aria-hidden", "true");
    var shape;
    var poly = {
      hexagon: "10,1.5 17.4,5.75 17.4,14.25 10,18.5 2.6,14.25 2.6,5.75",
      triangle: "10,2 18.5,17 1.5,17",
      diamond: "10,1.5 18.5,10 10,18.5 1.5,10",
      star: "10,1.2 12.5,7.1 18.8,7.4 13.9,11.4 15.6,17.6 10,14.1 4.4,17.6 6.1,11.4 1.2,7.4 7.5,7.1",
    }[st.shape];
    if (poly) {
      shape = document.createElementNS(SVG_NS, "polygon");
      shape.setAttribute("points", poly);
    } else if (st.shape === "square") {
      shape = document.createElementNS(SVG_NS, "rect");
      shape.setAttribute("x", "3"); shape.setAttribute("y", "3");
      shape.setAttribute("width", "14"); shape.setAttribute("height", "14");
    } else {
      shape = document.createElementNS(SVG_NS, "circle");
      shape.setAttribute("cx", "10"); shape.setAttribute("cy", "10"); shape.setAttribute("r", "7.5");
    }
    shape.setAttribute("fill", st.color);
    shape.setAttribute("stroke", st.border);
    shape.setAttribute("stroke-width", "1.5");
    svg.appendChild(shape);
    return svg;
  }

  // ------------------------------------------------------------------ filtering
  function visibleRelations() {
    var lo = stops.length ? stops[state.lo].d0 : null;
    var hi = stops.length ? stops[state.hi].d1 : null;
    var out = rels.filter(function (r) {
      if (!state.preds.has(r.p)) return false;
      if (!state.types.has(nodes[r.s].type) || !state.types.has(nodes[r.o].type)) return false;
      if (r.conf < state.minConf) return false;
      if (outlets(r) < state.minOutlets) return false;
      if (r.d0 === null) return state.undated;
      return r.d1 >= lo && r.d0 <= hi;
    });
    if (state.nbhd) {
      var adj = new Map();
      out.forEach(function (r) {
        if (!adj.has(r.s)) adj.set(r.s, []);
        if (!adj.has(r.o)) adj.set(r.o, []);
        adj.get(r.s).push(r.o);
        adj.get(r.o).push(r.s);
      });
      var reached = new Map([[state.nbhd.center, 0]]);
      var queue = [state.nbhd.center];
      while (queue.length) {
        var cur = queue.shift();
        var dist = reached.get(cur);
        if (dist >= state.nbhd.depth) continue;
        (adj.get(cur) || []).forEach(function (nx) {
          if (!reached.has(nx)) { reached.set(nx, dist + 1); queue.push(nx); }
        });
      }
      out = out.filter(function (r) { return reached.has(r.s) && reached.has(r.o); });
    }
    return out;
  }

  // The events and the relations outside any event among `list`, each once, in date order.
  function groups(list) {
    var seen = new Set();
    var out = [];
    list.forEach(function (r) {
      if (r.event === null) {
        out.push({ d0: r.d0, index: r.index, rel: r });
      } else if (!seen.has(r.event)) {
        seen.add(r.event);
        var ev = events[r.event];
        out.push({ d0: ev.d0, index: Math.min.apply(null, ev.reports), event: ev });
      }
    });
    return out.sort(byDate);
  }

  function edgeLabel(list, units, best) {
    var text;
    if (units.length === 1) {
      var u = units[0].event || units[0].rel;
      text = u.date ? u.p + "  " + u.date : u.p;
      if (units[0].event && u.conflict) text += " \u26a0";
    } else {
      var dated = list.filter(function (x) { return x.date; }).map(function (x) { return x.date; }).sort();
      var span = dated.length ? (dated[0] === dated[dated.length - 1] ? dated[0] : dated[0] + "–" + dated[dated.length - 1]) : "";
      text = "×" + list.length + " relations" + (span ? "  " + span : "");
    }
    return best > 1 ? text + "  ·  " + outletCount(best) : text;
  }

  function edgeTooltip(edge, list) {
    var box = el("div");
    box.appendChild(el("div", "tip-title",
      nodes[nodeIndex.get(edge.from)].label + " — " + nodes[nodeIndex.get(edge.to)].label));
    list.slice(0, 8).forEach(function (r) {
      box.appendChild(el("div", "tip-line", r.p + (r.date ? " · " + r.date : "") + " · " + r.conf.toFixed(2) +
        (r.event === null ? "" : " · " + outletCount(outlets(r)))));
    });
    if (list.length > 8) box.appendChild(el("div", "tip-line", "… and " + (list.length - 8) + " more"));
    box.appendChild(el("div", "tip-line", "Click for the evidence."));
    return box;
  }

  function nodeTooltip(n) {
    var box = el("div");
    box.appendChild(el("div", "tip-title", n.label));
    box.appendChild(el("div", "tip-line", "Type: " + n.type));
    box.appendChild(el("div", "tip-line", "Wikidata: " + (n.wikidata || "—")));
    box.appendChild(el("div", "tip-line", n.degree + (n.degree === 1 ? " relation" : " relations")));
    return box;
  }

  var nodesDS = new vis.DataSet(nodes.map(function (n) {
    return Object.assign({}, n.vis, { id: n.id, label: n.label, title: nodeTooltip(n), hidden: false });
  }));
  var edgesDS = new vis.DataSet(DATA.edges.map(function (e) {
    return { id: e.id, from: e.from, to: e.to, hidden: false };
  }));
  var shownNode = nodes.map(function () { return null; });
  var shownEdge = new Map();
  var current = { rels: [], byEdge: new Map(), nodeVisible: [] };

  function apply() {
    var list = visibleRelations();
    var byEdge = new Map();
    var touched = new Set();
    list.forEach(function (r) {
      if (!byEdge.has(r.edge)) byEdge.set(r.edge, []);
      byEdge.get(r.edge).push(r);
      touched.add(r.s); touched.add(r.o);
    });
    var nodeVisible = nodes.map(function (n, i) {
      if (!state.types.has(n.type)) return false;
      if (state.nbhd) return touched.has(i) || i === state.nbhd.center;
      return touched.has(i) || nodeRels[i].length === 0;
    });
    var nodeUpdates = [];
    nodes.forEach(function (n, i) {
      if (shownNode[i] !== nodeVisible[i]) {
        shownNode[i] = nodeVisible[i];
        nodeUpdates.push({ id: n.id, hidden: !nodeVisible[i] });
      }
    });
    var edgeUpdates = [];
    edges.forEach(function (e) {
      var l = byEdge.get(e.id) || [];
      var key = l.map(function (r) { return r.index; }).join(",");
      if (shownEdge.get(e.id) === key) return;
      shownEdge.set(e.id, key);
      if (!l.length) { edgeUpdates.push({ id: e.id, hidden: true }); return; }
      var fwd = l.some(function (r) { return nodes[r.s].id === e.from && r.s !== r.o; });
      var back = l.some(function (r) { return nodes[r.s].id === e.to && r.s !== r.o; });
      var units = groups(l);
      var best = Math.max.apply(null, l.map(outlets));
      edgeUpdates.push({
        id: e.id,
        hidden: false,
        label: edgeLabel(l, units, best),
        title: edgeTooltip(e, l),
        width: Math.min(12, 1.4 + 1.8 * (units.length - 1) + 2.4 * (best - 1)),
        color: best > 1 ? CORROBORATED : DATA.options.edges.color,
        arrows: { to: { enabled: fwd, scaleFactor: 0.55 }, from: { enabled: back, scaleFactor: 0.55 } },
      });
    });
    if (nodeUpdates.length) nodesDS.update(nodeUpdates);
    if (edgeUpdates.length) edgesDS.update(edgeUpdates);
    current = { rels: list, byEdge: byEdge, nodeVisible: nodeVisible };

    var nVisible = nodeVisible.filter(Boolean).length;
    $("count-nodes").textContent = String(nVisible);
    $("count-edges").textContent = String(byEdge.size);
    $("count-relations").textContent = String(list.length);
    $("empty").hidden = nVisible > 0;
    syncControls();
    if (selected) {
      var stillThere = selected.kind === "node" ? nodeVisible[nodeIndex.get(selected.id)] : byEdge.has(selected.id);
      if (stillThere) renderSelection(); else clearSelection();
    }
  }

  // ------------------------------------------------------------------ network
  var container = $("graph");
  var network = new vis.Network(container, { nodes: nodesDS, edges: edgesDS }, DATA.options);
  var ready = false;
  function finishLayout() {
    if (ready) return;
    network.setOptions({ physics: { enabled: false } });
    fitView(null);
    ready = true;
    $("loading").classList.add("done");
    document.body.setAttribute("data-ready", "1");
  }
  network.on("stabilizationProgress", function (p) {
    var pct = p.total ? Math.round((100 * p.iterations) / p.total) : 100;
    $("loading-bar").style.width = pct + "%";
    $("loading-text").textContent = "Laying out the graph… " + pct + "%";
  });
  network.once("stabilizationIterationsDone", finishLayout);
  network.once("stabilized", finishLayout);
  setTimeout(finishLayout, 20000); // hard bound, whatever happens

  network.on("click", function (params) {
    if (params.nodes.length) selectNode(params.nodes[0], false);
    else if (params.edges.length) selectEdge(params.edges[0]);
    else clearSelection();
  });

  // ------------------------------------------------------------------ panel
  function placeholder() {
    var box = el("div", "placeholder");
    box.appendChild(el("p", null, "Click an entity or a link to read the relations behind it, with their evidence and sources."));
    var ul = el("ul");
    ul.appendChild(el("li", null, nodes.length + " entities, " + rels.length + " relations in this page."));
    ul.appendChild(el("li", null, "Node size grows with the number of relations; a link's width with the number of facts it bundles and of outlets reporting them."));
    ul.appendChild(el("li", null, "Teal links carry an event reported by two outlets or more; its card lists every report."));
    ul.appendChild(el("li", null, "Highlighted text is the exact span the relation was extracted from."));
    box.appendChild(ul);
    return box;
  }

  function confidence(label, value, digits) {
    var conf = el("span", "conf", label + " " + value.toFixed(digits));
    var bar = el("span", "conf-bar");
    var fill = el("span");
    fill.style.width = Math.round(Math.max(0, Math.min(1, value)) * 100) + "%";
    bar.appendChild(fill);
    conf.appendChild(bar);
    return conf;
  }

  function triple(subject, object) {
    var box = el("div", "triple");
    box.appendChild(el("span", "subj", subject));
    box.appendChild(document.createTextNode(" "));
    box.appendChild(el("span", "arrow", "→"));
    box.appendChild(document.createTextNode(" "));
    box.appendChild(el("span", "obj", object));
    return box;
  }

  function relationCard(r) {
    var card = el("article", "rel");
    card.setAttribute("data-relation-id", r.id);
    var head = el("div", "rel-head");
    head.appendChild(el("span", "pred", r.p));
    head.appendChild(el("span", "rel-date", r.date || "undated"));
    head.appendChild(confidence("confidence", r.conf, 2));
    card.appendChild(head);
    card.appendChild(triple(nodes[r.s].label, nodes[r.o].label));

    if (r.q.length) {
      var quals = el("div", "quals");
      r.q.forEach(function (kv) {
        var q = el("span", "qual");
        q.appendChild(el("span", "qual-key", kv[0]));
        q.appendChild(document.createTextNode(kv[1]));
        quals.appendChild(q);
      });
      card.appendChild(quals);
    }

    var ev = el("blockquote", "evidence");
    ev.appendChild(document.createTextNode(r.ev[0]));
    ev.appendChild(el("mark", null, r.ev[1]));
    ev.appendChild(document.createTextNode(r.ev[2]));
    card.appendChild(ev);

    var src = el("div", "source");
    var parts = [];
    if (r.src.outlet) parts.push(el("span", "outlet", r.src.outlet));
    if (r.src.published) parts.push(el("span", "published", r.src.published));
    if (r.src.title) parts.push(el("span", "title", r.src.title));
    var href = safeHttpUrl(r.src.url);
    if (href) {
      var a = el("a", null, "article ↗");
      a.href = href;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.title = href;
      parts.push(a);
    } else if (r.src.url) {
      parts.push(el("span", "rawurl", r.src.url));
    }
    if (!parts.length) parts.push(el("span", null, r.src.article));
    parts.forEach(function (p, i) {
      if (i) {
        src.appendChild(document.createTextNode(" "));
        src.appendChild(el("span", "sep", "·"));
        src.appendChild(document.createTextNode(" "));
      }
      src.appendChild(p);
    });
    card.appendChild(src);
    return card;
  }

  function outletOf(r) { return r.src.outlet || r.src.article; }

  // Every reported date of a conflicting event, with the outlets on this page giving it.
  function conflictNote(ev) {
    var box = el("div", "conflict");
    box.setAttribute("role", "note");
    box.appendChild(el("strong", null, "\u26a0 Date conflict: the outlets disagree"));
    var ul = el("ul");
    ev.dates.forEach(function (d) {
      var who = [];
      ev.reports.forEach(function (i) {
        if (rels[i].date === d && who.indexOf(outletOf(rels[i])) < 0) who.push(outletOf(rels[i]));
      });
      var li = el("li");
      li.appendChild(el("span", "conflict-date", d));
      li.appendChild(el("span", "conflict-outlets", who.length ? who.join(", ") : "a report outside this page"));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    return box;
  }

  // An event with its agreed date, corroboration, combined confidence and every report on the page.
  function eventCard(ev, shown) {
    var card = el("article", "event");
    card.setAttribute("data-event-id", ev.id);
    var head = el("div", "rel-head");
    head.appendChild(el("span", "event-tag", "event"));
    head.appendChild(el("span", "pred", ev.p));
    if (ev.date) head.appendChild(el("span", "agreed", "agreed"));
    var date = el("span", "rel-date event-date", ev.date || "undated");
    date.title = "The most precise date consistent with the reports";
    head.appendChild(date);
    card.appendChild(head);
    card.appendChild(triple(ev.agent, ev.target));
    var nReports = ev.reports.length + ev.elsewhere;
    var facts = el("div", "event-facts");
    facts.appendChild(el("span", "corroboration", "reported by " + outletCount(ev.n)));
    facts.appendChild(el("span", "n-reports", nReports + (nReports === 1 ? " report" : " reports")));
    facts.appendChild(confidence("combined confidence", ev.conf, 3));  // three digits: 0.999 is not certainty
    card.appendChild(facts);
    if (ev.conflict) card.appendChild(conflictNote(ev));
    var reports = el("div", "reports");
    ev.reports.map(function (i) { return rels[i]; }).sort(byDate).forEach(function (r) {
      var rc = relationCard(r);
      rc.classList.add("report");
      if (!shown.has(r.index)) {
        rc.classList.add("filtered");
        rc.firstChild.appendChild(el("span", "filtered-tag", "hidden by filters"));
      }
      reports.appendChild(rc);
    });
    if (ev.elsewhere) {
      reports.appendChild(el("p", "hint", ev.elsewhere + (ev.elsewhere === 1 ? " report is" : " reports are") +
        " outside this page's selection."));
    }
    card.appendChild(reports);
    return card;
  }

  function byDate(a, b) {
    if (a.d0 === null && b.d0 !== null) return 1;
    if (b.d0 === null && a.d0 !== null) return -1;
    if (a.d0 !== b.d0) return a.d0 < b.d0 ? -1 : 1;
    return a.index - b.index;
  }

  function renderSelection() {
    var title = $("panel-title");
    var body = $("panel-body");
    clear(body);
    if (!selected) {
      title.textContent = "Details";
      body.appendChild(placeholder());
      return;
    }
    var list;
    var hiddenN = 0;
    if (selected.kind === "node") {
      var i = nodeIndex.get(selected.id);
      var n = nodes[i];
      title.textContent = n.label;
      var head = el("div", "entity-head");
      var badge = el("span", "badge");
      var dot = el("span", "dot");
      dot.style.background = (typeStyle.get(n.type) || {}).color || "#64748b";
      badge.appendChild(dot);
      badge.appendChild(document.createTextNode(n.type));
      head.appendChild(badge);
      var wd = wikidataUrl(n.wikidata);
      if (wd) {
        var a = el("a", "wikidata", "Wikidata " + n.wikidata + " ↗");
        a.href = wd;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        head.appendChild(a);
      } else if (n.wikidata) {
        head.appendChild(el("span", "wikidata", "Wikidata " + n.wikidata));
      }
      body.appendChild(head);
      list = current.rels.filter(function (r) { return r.s === i || r.o === i; });
      hiddenN = nodeRels[i].length - list.length;
    } else {
      var e = edges.get(selected.id);
      title.textContent = nodes[nodeIndex.get(e.from)].label + " — " + nodes[nodeIndex.get(e.to)].label;
      list = (current.byEdge.get(e.id) || []).slice();
      hiddenN = e.rels.length - list.length;
    }
    var items = groups(list);
    var nEvents = items.filter(function (g) { return g.event; }).length;
    var summary = list.length + (list.length === 1 ? " relation" : " relations");
    if (nEvents) summary += " · " + nEvents + (nEvents === 1 ? " event" : " events");
    if (hiddenN > 0) summary += " (" + hiddenN + " hidden by filters)";
    body.appendChild(el("div", "section-title", summary));
    var holder = el("div", "rels");
    holder.id = "panel-relations";
    var shown = new Set(current.rels.map(function (r) { return r.index; }));
    items.forEach(function (g) { holder.appendChild(g.event ? eventCard(g.event, shown) : relationCard(g.rel)); });
    body.appendChild(holder);
    body.scrollTop = 0;
  }

  function selectNode(id, focus) {
    selected = { kind: "node", id: id };
    network.selectNodes([id], false);
    if (focus) {
      network.focus(id, { scale: Math.max(1.1, network.getScale()), animation: { duration: 300, easingFunction: "easeInOutQuad" } });
    }
    renderSelection();
    syncControls();
  }
  function selectEdge(id) {
    selected = { kind: "edge", id: id };
    network.setSelection({ nodes: [], edges: [id] }, { unselectAll: true, highlightEdges: false });
    renderSelection();
    syncControls();
  }
  function clearSelection() {
    selected = null;
    network.unselectAll();
    renderSelection();
    syncControls();
  }

  // ------------------------------------------------------------------ controls
  function check(container, key, value, label, count, swatch) {
    var row = el("label", "check");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute(key, value);
    row.appendChild(box);
    if (swatch) row.appendChild(swatch);
    row.appendChild(el("span", null, label));
    row.appendChild(el("span", "n", count));
    container.appendChild(row);
    return box;
  }

  var typeBoxes = DATA.types.map(function (t) {
    var box = check($("type-filters"), "data-type", t.name, t.name, t.count, shapeSwatch(t.name));
    box.addEventListener("change", function () {
      if (box.checked) state.types.add(t.name); else state.types.delete(t.name);
      apply();
    });
    return box;
  });
  var predBoxes = DATA.predicates.map(function (p) {
    var box = check($("predicate-filters"), "data-predicate", p.name, p.name, p.count, null);
    box.addEventListener("change", function () {
      if (box.checked) state.preds.add(p.name); else state.preds.delete(p.name);
      apply();
    });
    return box;
  });
  function setAllPreds(on) {
    state.preds = on ? new Set(DATA.predicates.map(function (p) { return p.name; })) : new Set();
    apply();
  }
  $("preds-all").addEventListener("click", function () { setAllPreds(true); });
  $("preds-none").addEventListener("click", function () { setAllPreds(false); });

  var from = $("date-from"), to = $("date-to");
  [from, to].forEach(function (input) {
    input.max = String(Math.max(0, stops.length - 1));
    input.disabled = stops.length === 0;
  });
  from.addEventListener("input", function () {
    state.lo = parseInt(from.value, 10);
    if (state.lo > state.hi) state.hi = state.lo;
    apply();
  });
  to.addEventListener("input", function () {
    state.hi = parseInt(to.value, 10);
    if (state.hi < state.lo) state.lo = state.hi;
    apply();
  });
  $("include-undated").addEventListener("change", function (ev) { state.undated = ev.target.checked; apply(); });
  $("undated-count").textContent = String(undatedCount);
  $("min-conf").addEventListener("input", function (ev) {
    state.minConf = Math.round(parseFloat(ev.target.value) * 100) / 100;
    apply();
  });
  var minOutlets = $("min-outlets");
  minOutlets.max = String(maxOutlets);
  minOutlets.disabled = maxOutlets < 2;
  minOutlets.addEventListener("input", function () {
    state.minOutlets = parseInt(minOutlets.value, 10);
    apply();
  });

  $("nbhd-depth").addEventListener("change", function () {
    if (state.nbhd) { state.nbhd.depth = parseInt($("nbhd-depth").value, 10); apply(); fitVisible(); }
  });
  $("btn-neighbourhood").addEventListener("click", function () {
    if (!selected || selected.kind !== "node") return;
    state.nbhd = { center: nodeIndex.get(selected.id), depth: parseInt($("nbhd-depth").value, 10) };
    apply();
    fitVisible();
  });
  $("btn-reset").addEventListener("click", reset);
  $("panel-clear").addEventListener("click", clearSelection);

  function fitView(ids) {
    // like network.fit(), but the box includes the labels drawn below the nodes
    var list = ids || nodes.filter(function (n, i) { return current.nodeVisible[i]; }).map(function (n) { return n.id; });
    if (!list.length) return;
    network.redraw(); // node bounding boxes (with labels) are refreshed when drawn
    var box = null;
    list.forEach(function (id) {
      var b = network.getBoundingBox(id);
      if (!b) return;
      if (!box) box = { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
      else {
        box.left = Math.min(box.left, b.left); box.right = Math.max(box.right, b.right);
        box.top = Math.min(box.top, b.top); box.bottom = Math.max(box.bottom, b.bottom);
      }
    });
    if (!box) return;
    var w = container.clientWidth || 1, h = container.clientHeight || 1;
    var scale = Math.min(w / Math.max(1, box.right - box.left), h / Math.max(1, box.bottom - box.top)) * 0.92;
    network.moveTo({
      position: { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2 },
      scale: Math.min(1.3, Math.max(0.05, scale)),
      animation: false,
    });
  }
  function fitVisible() {
    var ids = nodes.filter(function (n, i) { return current.nodeVisible[i]; }).map(function (n) { return n.id; });
    if (ids.length) fitView(ids);
  }

  function syncControls() {
    typeBoxes.forEach(function (b) { b.checked = state.types.has(b.getAttribute("data-type")); });
    predBoxes.forEach(function (b) { b.checked = state.preds.has(b.getAttribute("data-predicate")); });
    from.value = String(state.lo);
    to.value = String(state.hi);
    $("date-from-label").textContent = stops.length ? stops[state.lo].d : "—";
    $("date-to-label").textContent = stops.length ? stops[state.hi].d : "—";
    $("include-undated").checked = state.undated;
    $("min-conf").value = String(state.minConf);
    $("min-conf-label").textContent = state.minConf.toFixed(2);
    minOutlets.value = String(state.minOutlets);
    $("min-outlets-label").textContent = String(state.minOutlets);
    var nodeSel = selected && selected.kind === "node" ? nodes[nodeIndex.get(selected.id)] : null;
    $("btn-neighbourhood").disabled = !nodeSel;
    $("nbhd-target").textContent = nodeSel ? "Around: " + nodeSel.label : "Select an actor on the graph or with the search box.";
    var chip = $("nbhd-active");
    if (state.nbhd) {
      chip.hidden = false;
      chip.textContent = "Showing " + state.nbhd.depth + "-hop neighbourhood of " + nodes[state.nbhd.center].label;
    } else {
      chip.hidden = true;
      chip.textContent = "";
    }
  }

  function reset() {
    state = defaults();
    $("nbhd-depth").value = "1";
    $("search").value = "";
    $("search-status").textContent = "";
    selected = null;
    network.unselectAll();
    apply();
    renderSelection();
    fitView(null);
  }

  // ------------------------------------------------------------------ search
  var datalist = $("search-labels");
  nodes.slice().sort(function (a, b) { return b.degree - a.degree || (a.label < b.label ? -1 : 1); })
    .slice(0, 2000)
    .forEach(function (n) {
      var opt = document.createElement("option");
      opt.value = n.label;
      datalist.appendChild(opt);
    });

  function findNode(query) {
    var q = norm(query);
    if (!q) return null;
    var best = null;
    nodes.forEach(function (n, i) {
      var lab = normLabels[i];
      var rank;
      if (lab === q) rank = 0;
      else if (lab.indexOf(q) === 0) rank = 1;
      else if ((" " + lab).indexOf(" " + q) >= 0) rank = 2;
      else if (lab.indexOf(q) >= 0) rank = 3;
      else return;
      if (!current.nodeVisible[i]) rank += 10;
      var cand = { i: i, rank: rank, degree: n.degree, len: lab.length };
      if (!best || cand.rank < best.rank || (cand.rank === best.rank &&
          (cand.degree > best.degree || (cand.degree === best.degree && cand.len < best.len)))) best = cand;
    });
    return best;
  }
  function runSearch() {
    var status = $("search-status");
    var hit = findNode($("search").value);
    if (!hit) { status.textContent = $("search").value.trim() ? "No match" : ""; return; }
    var n = nodes[hit.i];
    if (!current.nodeVisible[hit.i]) { status.textContent = "Hidden by filters: " + n.label; return; }
    status.textContent = "";
    selectNode(n.id, true);
  }
  $("search").addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); runSearch(); } });
  $("search").addEventListener("input", function (ev) { if (ev.inputType === "insertReplacementText") runSearch(); });
  $("search-go").addEventListener("click", runSearch);

  // ------------------------------------------------------------------ start
  apply();
  renderSelection();
  if (!nodes.length) finishLayout();

  function pagePoint(p) {
    var box = container.getBoundingClientRect();
    return { x: box.left + p.x, y: box.top + p.y };
  }

  // Read-only hook for tests and for researchers' console use.
  window.kgPage = Object.freeze({
    get ready() { return ready; },
    visibleNodeIds: function () { return nodesDS.get({ filter: function (n) { return !n.hidden; } }).map(function (n) { return n.id; }); },
    visibleEdgeIds: function () { return edgesDS.get({ filter: function (e) { return !e.hidden; } }).map(function (e) { return e.id; }); },
    selectedNodeIds: function () { return network.getSelectedNodes(); },
    selectedEdgeIds: function () { return network.getSelectedEdges(); },
    edgeView: function (edgeId) {
      var e = edgesDS.get(edgeId);
      return e ? { label: e.label, width: e.width, hidden: e.hidden } : null;
    },
    edgeIdBetween: function (a, b) {
      var found = null;
      edges.forEach(function (e) { if ((e.from === a && e.to === b) || (e.from === b && e.to === a)) found = e.id; });
      return found;
    },
    domPositionOf: function (nodeId) { return pagePoint(network.canvasToDOM(network.getPosition(nodeId))); },
    domPositionOfEdge: function (edgeId) {
      var e = edges.get(edgeId);
      if (!e) return null;
      var a = network.canvasToDOM(network.getPosition(e.from));
      var b = network.canvasToDOM(network.getPosition(e.to));
      var ts = [0.5, 0.42, 0.58, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75];
      for (var k = 0; k < ts.length; k++) {
        var p = { x: a.x + (b.x - a.x) * ts[k], y: a.y + (b.y - a.y) * ts[k] };
        if (network.getNodeAt(p) === undefined && network.getEdgeAt(p) === edgeId) return pagePoint(p);
      }
      return null;
    },
  });
})();
