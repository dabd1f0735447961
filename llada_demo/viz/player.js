(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("llada-trace-data").textContent);
  var steps = data.steps, count = steps.length, length = data.length;
  var grid = document.getElementById("llada-grid"), head = document.getElementById("llada-head");
  var slider = document.getElementById("llada-slider"), playButton = document.getElementById("llada-play");
  var colorSelect = document.getElementById("llada-color"), speedSelect = document.getElementById("llada-speed");
  var cells = [];
  for (var i = 0; i < length; i++) {
    var cell = document.createElement("div");
    cell.className = "cell masked";
    cell.setAttribute("data-pos", i);
    grid.appendChild(cell);
    cells.push(cell);
  }
  var initial = data.initial || new Array(length).fill(data.mask);
  var edits = (data.origin && data.origin.edits) || {};
  // rows[s][p]: the row of position p in step s's candidates (the positions masked before step s, in order).
  var rows = [], masks = [], before = initial.slice();
  steps.forEach(function (st) {
    var row = new Int32Array(length).fill(-1), n = 0, where = st.c || st.k, j;
    for (j = 0; j < length; j++) if (before[j] === data.mask) row[j] = n++;
    rows.push(row);
    masks.push(n);
    for (j = 0; j < where.length; j++) before[where[j]] = st.v[j];
  });
  function rgb(hex) { return [1, 3, 5].map(function (o) { return parseInt(hex.substr(o, 2), 16); }); }
  function scaleColor(scale, value) {
    if (value === null || !isFinite(value)) value = 0;
    value = Math.min(Math.max(value, 0), 1) * (scale.length - 1);
    var index = Math.min(Math.floor(value), scale.length - 2), f = value - index;
    var a = rgb(scale[index]), b = rgb(scale[index + 1]);
    return "rgb(" + a.map(function (x, j) { return Math.round(x + (b[j] - x) * f); }).join(",") + ")";
  }
  function token(id) { return data.tokens[String(id)] || [0, "?", 0, "\u201c?\u201d", 0]; }
  function dots(n) {
    var span = document.createElement("span");
    span.className = "ws";
    span.textContent = "\u00b7".repeat(n);
    return span;
  }
  function stateAt(k) {
    var tokens = initial.slice(), commit = new Array(length).fill(0);
    var conf = new Array(length).fill(null);
    for (var s = 0; s < k; s++) {
      var st = steps[s], where = st.c || st.k, j;
      for (j = 0; j < where.length; j++) tokens[where[j]] = st.v[j];
      for (j = 0; j < st.k.length; j++) { commit[st.k[j]] = s + 1; conf[st.k[j]] = st.p[j] / 1000; }
    }
    return { tokens: tokens, commit: commit, conf: conf };
  }
  function visible(id) { var t = token(id); return t[4] ? t[1] : " ".repeat(t[0]) + t[1] + " ".repeat(t[2]); }
  // A cell's candidates as the page script (candidates.js) reads them: [step, masked, [text, p x1000], ...].
  function candidates(source, p, masked) {
    var st = steps[source], row = source >= 0 && st && st.ti ? rows[source][p] : -1;
    if (row < 0) return null;
    var k = st.ti.length / masks[source];
    var out = [source + 1, masked ? 1 : 0];
    for (var j = row * k; j < (row + 1) * k; j++) out.push([visible(st.ti[j]), st.tp[j]]);
    return JSON.stringify(out);
  }
  function render(k) {
    var state = stateAt(k), latest = k > 0 ? steps[k - 1] : null, colorBy = colorSelect.value;
    var isNew = {}, guess = {}, block = null, masks = 0, j;
    if (latest) {
      for (j = 0; j < latest.k.length; j++) isNew[latest.k[j]] = true;
      if (latest.g) {
        var m = 0;
        for (j = 0; j < length; j++) if (state.tokens[j] === data.mask) { guess[j] = [latest.g[m], latest.q[m]]; m++; }
      }
    }
    if (data.numBlocks > 1 && count > 0) {
      var b = (latest || steps[0]).b;
      block = [b * data.blockLength, Math.min((b + 1) * data.blockLength, length)];
    }
    for (var p = 0; p < length; p++) {
      var cell = cells[p], id = state.tokens[p], classes = ["cell"], tip;
      var inBlock = block && p >= block[0] && p < block[1];
      cell.textContent = "";
      cell.style.background = "";
      cell.removeAttribute("data-kt");
      var found = k > 0 ? candidates(id === data.mask ? k - 1 : state.commit[p] - 1, p, id === data.mask) : null;
      if (found) cell.setAttribute("data-k", found); else cell.removeAttribute("data-k");
      var given = !data.origin ? "" : edits[p] !== undefined ? "edited" : (initial[p] !== data.mask ? "kept" : "");
      if (given) classes.push(given);
      if (id === data.mask) {
        masks++;
        classes.push("masked");
        cell.textContent = "\u2591\u2591";
        if (!latest) tip = "position " + p + " \u00b7 masked\nno forward pass yet";
        else if (guess[p] && guess[p][0] !== data.mask) {
          tip = "position " + p + " \u00b7 masked\nbest guess " + token(guess[p][0])[3] +
            " (p = " + (guess[p][1] / 1000).toFixed(3) + ")";
        } else tip = "position " + p + " \u00b7 masked\nno guess yet";
      } else {
        var t = token(id);
        classes.push("done");
        if (isNew[p]) classes.push("new");
        if (t[4]) {
          classes.push("stop");
          cell.textContent = t[1];
        } else {
          // A character split over several tokens: whole on its first cell, the cells after marked "\u25c2".
          var split = data.shown && data.shown[k] ? data.shown[k][String(p)] : undefined;
          if (split && split[1]) { var c = dots(0); c.textContent = "\u25c2"; cell.appendChild(c); }
          else if (split) cell.appendChild(document.createTextNode(split[0]));
          else {
            if (t[0]) cell.appendChild(dots(t[0]));
            if (t[1]) cell.appendChild(document.createTextNode(t[1]));
            if (t[2]) cell.appendChild(dots(t[2]));
            if (!t[0] && !t[1] && !t[2]) { var e = dots(0); e.textContent = "\u2205"; cell.appendChild(e); }
          }
          var v = colorBy === "confidence" ? state.conf[p]
            : (data.total <= 1 ? 0 : (state.commit[p] - 1) / (data.total - 1));
          if (!(given && !state.commit[p])) cell.style.background = scaleColor(data.scales[colorBy], v);
        }
        tip = t[3] + "\nposition " + p + " \u00b7 " +
          (state.commit[p] ? "committed at step " + state.commit[p] : "committed");
        if (state.conf[p] !== null) tip += "\np = " + state.conf[p].toFixed(3);
      }
      if (inBlock) classes.push("in-block");
      if (given === "edited") tip += edits[p] === data.mask ? "\nyou put the mask back here" : "\nyou changed this cell";
      else if (given === "kept" && !state.commit[p]) tip += "\nkept from the run this branched from";
      cell.className = classes.join(" ");
      cell.title = tip;
    }
    head.textContent = "step " + k + "/" + data.total + " \u00b7 NFE " + (latest ? latest.nfe : 0) +
      " \u00b7 masks left " + masks + " \u00b7 " + (latest ? latest.t : 0).toFixed(1) + " s" +
      (data.kind === "autoregressive" ? " \u00b7 autoregressive" : "");
    document.querySelectorAll(".llada-legend").forEach(function (el) {
      el.style.display = el.getAttribute("data-color-by") === colorBy ? "" : "none";
    });
  }
  var timer = null;
  function stop() { if (timer) clearInterval(timer); timer = null; playButton.textContent = "\u25b6 Play"; }
  function play() {
    if (Number(slider.value) >= count) slider.value = 0;
    render(Number(slider.value));
    playButton.textContent = "\u23f8 Pause";
    timer = setInterval(function () {
      var k = Number(slider.value) + 1;
      if (k > count) { stop(); return; }
      slider.value = k;
      render(k);
    }, Number(speedSelect.value));
  }
  playButton.addEventListener("click", function () { if (timer) stop(); else play(); });
  slider.addEventListener("input", function () { stop(); render(Number(slider.value)); });
  colorSelect.addEventListener("change", function () { render(Number(slider.value)); });
  speedSelect.addEventListener("change", function () { if (timer) { stop(); play(); } });
  render(Number(slider.value));
})();
