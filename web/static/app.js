// Fanfare dashboard. Every page works without this file (forms post and the
// server redirects back); with it and htmx, actions answer in place:
//
// - the live length count, with X's own counting (twitter-text, vendored:
//   the server counts with the same rules);
// - focus after an action: the next pending post, so that "a" then "a"
//   approves two posts in a row without the mouse;
// - selection in the queue: select all, per group, Shift+click for a range;
// - keyboard shortcuts (? lists them);
// - the calendar's drag and drop; its "Move" forms are the keyboard way.
//
// No inline script, no eval: the page's CSP forbids both.
(function () {
  "use strict";

  var body = document.body;
  var lang = document.documentElement.lang || "en";
  var numberFormat = window.Intl ? new Intl.NumberFormat(lang) : null;
  var pluralRules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;

  function fmt(n) { return numberFormat ? numberFormat.format(n) : String(n); }
  function msg(name) { return body.getAttribute("data-msg-" + name) || ""; }
  function fill(template) {
    var args = Array.prototype.slice.call(arguments, 1), i = 0;
    return template.replace(/%s/g, function () { return args[i++]; });
  }
  // Relative times ("dans 12 min") stay true while the page is open: the
  // server's words (data-rel) and thresholds (web/timefmt.go, relative),
  // counted from the server's clock (data-now), every 30 s. A week or more
  // away the server writes a date, which stays.
  var relWords = {};
  try { relWords = JSON.parse(body.getAttribute("data-rel") || "{}"); } catch (e) { relWords = {}; }
  var clockOffset = (Number(body.getAttribute("data-now")) || Date.now()) - Date.now();
  function relWord(key, n) {
    var form = pluralRules ? pluralRules.select(n) : "other";
    var m = relWords[key + "|" + form] || relWords[key + "|other"];
    return m ? fill(m, fmt(n)) : null;
  }
  function relative(t, now) {
    var a = Math.abs(t - now), dir = t > now ? "rel.in_" : "rel.ago_";
    if (a < 45e3) return relWords["rel.now"] || null;
    if (a < (59 * 60 + 30) * 1e3) return relWord(dir + "min", Math.max(1, Math.round(a / 6e4)));
    if (a < (23 * 3600 + 1800) * 1e3) return relWord(dir + "hour", Math.round(a / 36e5));
    if (a < 7 * 864e5) return relWord(dir + "day", Math.round(a / 864e5));
    return null;
  }
  function refreshTimes() {
    var now = Date.now() + clockOffset;
    Array.prototype.forEach.call(document.querySelectorAll("time[data-rel]"), function (el) {
      var t = Date.parse(el.getAttribute("datetime"));
      var s = isNaN(t) ? null : relative(t, now);
      if (s && el.textContent !== s) el.textContent = s;
    });
  }
  setInterval(refreshTimes, 30000);
  // A tab back in view after hours is put right at once.
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refreshTimes(); });

  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  function notify(text, kind) {
    var n = document.getElementById("notice");
    if (!n) return;
    n.textContent = "";
    var div = document.createElement("div");
    div.className = "notice-msg notice-" + (kind || "error");
    var p = document.createElement("p");
    p.textContent = text;
    div.appendChild(p);
    n.appendChild(div);
  }

  // ---- live count -------------------------------------------------------
  // graphemes counts user-perceived characters (an emoji family is one), as
  // Bluesky and Mastodon do; without Intl.Segmenter, code points.
  function graphemes(text) {
    if (window.Intl && Intl.Segmenter) {
      var n = 0, it = new Intl.Segmenter().segment(text)[Symbol.iterator]();
      while (!it.next().done) n++;
      return n;
    }
    return Array.from(text).length;
  }
  function weight(area) {
    var text = area.value;
    switch (area.getAttribute("data-network")) {
      case "x":
        if (window.twttr && twttr.txt && twttr.txt.parseTweet) return twttr.txt.parseTweet(text).weightedLength;
        break;
      case "bluesky":
        return graphemes(text);
      case "mastodon":
        // Every http(s) link counts 23, as the instance counts it.
        var links = text.match(/https?:\/\/[^\s<>"]+/gi) || [];
        return graphemes(text.replace(/https?:\/\/[^\s<>"]+/gi, "")) + 23 * links.length;
    }
    // Facebook and Instagram count UTF-16 code units, as the server does.
    return text.length;
  }
  function updateCount(area) {
    var id = area.getAttribute("aria-describedby");
    var out = id && document.getElementById(id);
    if (!out) return;
    var max = parseInt(area.getAttribute("data-max"), 10) || 280;
    var n = weight(area);
    out.textContent = fill(msg(n > max ? "over" : "count"), fmt(n), fmt(max));
    out.classList.toggle("bad", n > max);
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("textarea[data-network]")) updateCount(e.target);
  });
  function initCounts(root) {
    root.querySelectorAll("textarea[data-network]").forEach(updateCount);
  }

  // ---- selection --------------------------------------------------------
  var lastPicked = null;
  function picks() { return Array.prototype.slice.call(document.querySelectorAll("input.pick")); }
  function updateSelection() {
    var all = picks(), n = 0;
    all.forEach(function (c) { if (c.checked) n++; });
    var out = document.getElementById("selected-count");
    if (out) {
      var form = pluralRules ? pluralRules.select(n) : (n === 1 ? "one" : "other");
      var t = out.getAttribute("data-" + form) || out.getAttribute("data-other") || "%s";
      out.textContent = n ? fill(t, fmt(n)) : "";
    }
    var sa = document.getElementById("select-all");
    if (sa) {
      sa.checked = all.length > 0 && n === all.length;
      sa.indeterminate = n > 0 && n < all.length;
    }
    document.querySelectorAll("input.pick-group").forEach(function (g) {
      var boxes = g.closest("section.group").querySelectorAll("input.pick");
      var k = 0;
      boxes.forEach(function (c) { if (c.checked) k++; });
      g.checked = boxes.length > 0 && k === boxes.length;
      g.indeterminate = k > 0 && k < boxes.length;
    });
  }
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!t.matches) return;
    if (t.matches("input.pick")) {
      if (e.shiftKey && lastPicked && lastPicked !== t) {
        var all = picks(), a = all.indexOf(lastPicked), b = all.indexOf(t);
        if (a >= 0 && b >= 0) {
          for (var i = Math.min(a, b); i <= Math.max(a, b); i++) all[i].checked = t.checked;
        }
      }
      lastPicked = t;
      updateSelection();
    } else if (t.matches("#select-all")) {
      picks().forEach(function (c) { c.checked = t.checked; });
      updateSelection();
    } else if (t.matches("input.pick-group")) {
      t.closest("section.group").querySelectorAll("input.pick").forEach(function (c) { c.checked = t.checked; });
      updateSelection();
    } else if (t.matches("#shortcuts-open")) {
      openHelp();
    }
  });

  // ---- focus after an action -------------------------------------------
  var pending = null; // {card, next} remembered when an action starts
  function cards() { return Array.prototype.slice.call(document.querySelectorAll("article.post")); }
  function nextPending(card) {
    var all = cards(), i = all.indexOf(card);
    for (var j = i + 1; j < all.length; j++) if (all[j].getAttribute("data-state") === "pending") return all[j].id;
    for (j = i - 1; j >= 0; j--) if (all[j].getAttribute("data-state") === "pending") return all[j].id;
    return null;
  }
  function focusCard(el) {
    if (!el) return;
    var target = el.querySelector("button.ok") || el;
    target.focus({ preventScroll: true });
    var r = el.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) el.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var card = e.target.closest && e.target.closest("article.post");
    pending = card ? { card: card.id, next: nextPending(card) } : null;
  });
  document.addEventListener("htmx:afterSettle", function () { afterAction(); });
  document.addEventListener("htmx:afterRequest", function (e) {
    // Swaps of "none" settle without an event on the page: settle here too.
    window.setTimeout(afterAction, 30);
    if (e.detail && e.detail.successful && e.target.matches && e.target.matches("form.reject")) {
      var input = e.target.querySelector("input[name=reason]");
      if (input) input.value = "";
    }
  });
  function afterAction() {
    initCounts(document);
    updateSelection();
    if (!pending) return;
    var p = pending;
    pending = null;
    var card = document.getElementById(p.card);
    if (card && card.getAttribute("data-state") === "pending") {
      // Refused (a reason missing, a field wrong): stay on it.
      if (document.activeElement === body || !card.contains(document.activeElement)) focusCard(card);
      return;
    }
    var next = p.next && document.getElementById(p.next);
    if (next && next.getAttribute("data-state") === "pending") focusCard(next);
    else if (card) card.focus({ preventScroll: true });
  }
  // Filters left on "all" stay out of the address.
  document.addEventListener("htmx:configRequest", function (e) {
    if (!e.detail.elt || e.detail.elt.id !== "filters") return;
    var params = e.detail.parameters, empty = [];
    if (params.forEach) {
      params.forEach(function (v, k) { if (v === "") empty.push(k); });
      empty.forEach(function (k) { params.delete(k); });
    } else {
      Object.keys(params).forEach(function (k) { if (params[k] === "") delete params[k]; });
    }
  });
  document.addEventListener("htmx:responseError", function (e) {
    var status = e.detail && e.detail.xhr ? e.detail.xhr.status : 0;
    notify(fill(msg("error"), String(status)), "error");
  });
  document.addEventListener("htmx:sendError", function () { notify(msg("offline"), "error"); });

  // ---- keyboard shortcuts ------------------------------------------------
  function help() { return document.getElementById("shortcuts"); }
  function openHelp() {
    var d = help();
    if (d && !d.open && d.showModal) d.showModal();
  }
  function currentCard() {
    var a = document.activeElement;
    return a && a.closest ? a.closest("article.post") : null;
  }
  function move(step) {
    var all = cards();
    if (!all.length) return;
    var cur = currentCard(), i = cur ? all.indexOf(cur) : -1;
    var j = Math.min(Math.max(i + step, 0), all.length - 1);
    if (i < 0) j = step > 0 ? 0 : all.length - 1;
    all[j].focus({ preventScroll: true });
    all[j].scrollIntoView({ block: "nearest" });
  }
  var focusOnKeyUp = null;
  document.addEventListener("keyup", function () {
    if (focusOnKeyUp) { focusOnKeyUp.focus(); focusOnKeyUp = null; }
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (e.key === "Escape") {
      if (typing && t.blur) {
        var card = currentCard();
        t.blur();
        if (card) card.focus({ preventScroll: true });
      }
      return;
    }
    if (typing || !document.getElementById("bulk")) return;
    var c = currentCard();
    switch (e.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "?": openHelp(); break;
      case "a":
        if (!c) return;
        var ok = c.querySelector('form[action$="/approve"] button');
        if (ok) ok.click();
        break;
      case "r":
        if (!c) return;
        // Focus the field when the key goes up: a field focused on key
        // down would receive the "r" itself.
        focusOnKeyUp = c.querySelector("form.reject input[name=reason]");
        break;
      case "e":
        if (!c) return;
        var d = c.querySelector("details.edit");
        if (d) { d.open = true; focusOnKeyUp = d.querySelector("textarea"); }
        break;
      case "x":
        if (!c) return;
        var box = c.querySelector("input.pick");
        if (box) { box.checked = !box.checked; lastPicked = box; updateSelection(); }
        break;
      default: return;
    }
    e.preventDefault();
  });

  // ---- calendar drag and drop -------------------------------------------
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var item = e.target.closest && e.target.closest(".cal-item[draggable=true]");
    if (!item) return;
    dragged = item;
    item.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", item.getAttribute("data-id"));
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll("td.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (e) {
    var cell = e.target.closest && e.target.closest("td[data-drop]");
    if (!cell || !dragged) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    document.querySelectorAll("td.drop-target").forEach(function (c) { if (c !== cell) c.classList.remove("drop-target"); });
    cell.classList.add("drop-target");
  });
  document.addEventListener("drop", function (e) {
    var cell = e.target.closest && e.target.closest("td[data-drop]");
    if (!cell || !dragged) return;
    e.preventDefault();
    var at = dropTime(cell, e, dragged);
    moveTo(dragged.getAttribute("data-id"), at, dragged);
  });
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // dropTime is the time a drop means: the hour's cell and the quarter the
  // pointer is in (week), or the day at the post's own time of day (month).
  function dropTime(cell, e, item) {
    var day = cell.getAttribute("data-day");
    if (cell.getAttribute("data-drop") === "day") {
      return day + "T" + (item.getAttribute("data-local") || "10:00");
    }
    var r = cell.getBoundingClientRect();
    var quarter = Math.min(3, Math.max(0, Math.floor((e.clientY - r.top) / Math.max(r.height, 1) * 4)));
    return day + "T" + pad(parseInt(cell.getAttribute("data-hour"), 10)) + ":" + pad(quarter * 15);
  }
  function moveTo(id, at, source) {
    var values = { csrf: csrf(), scheduled_at: at, ctx: "calendar", next: location.pathname + location.search };
    var state = document.getElementById("calendar-state");
    if (state) state.querySelectorAll("input").forEach(function (i) { values[i.name] = i.value; });
    if (window.htmx) {
      htmx.ajax("POST", "/posts/" + encodeURIComponent(id) + "/schedule", { values: values, swap: "none", source: source });
    }
  }

  function init() {
    initCounts(document);
    updateSelection();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:load", function (e) { initCounts(e.target); });
})();
