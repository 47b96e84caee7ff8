// Fanfare dashboard: a live length count while editing. The server checks
// every text again; this count follows X's rule only for plain ASCII (each
// character 1, each URL 23) and says "server will check" for anything else.
(function () {
  "use strict";
  var urlRE = /https?:\/\/\S+/g;

  function asciiWeight(text) {
    var n = 0, last = 0, m;
    urlRE.lastIndex = 0;
    while ((m = urlRE.exec(text)) !== null) {
      n += (m.index - last) + 23;
      last = m.index + m[0].length;
    }
    return n + (text.length - last);
  }

  function update(area) {
    var out = area.form && area.form.querySelector("output.live-count");
    if (!out) return;
    var max = parseInt(area.getAttribute("data-max"), 10) || 280;
    var text = area.value;
    if (area.getAttribute("data-network") !== "x") {
      out.textContent = text.length + "/" + max;
      out.classList.toggle("bad", text.length > max);
      return;
    }
    if (/[^\x00-\x7f]/.test(text)) {
      out.textContent = area.getAttribute("data-server") || "server will check";
      out.classList.remove("bad");
      return;
    }
    var n = asciiWeight(text);
    out.textContent = n + "/" + max;
    out.classList.toggle("bad", n > max);
  }

  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("textarea[data-network]")) update(e.target);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-network]").forEach(update);
  });
})();
