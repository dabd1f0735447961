// The model's top-k candidates of a grid cell, on hover (its tooltip) and on click or Enter (a small popover
// with probability bars). One set of document-level listeners serves every grid, including grids redrawn many
// times a second, since it reads each cell's data-k when asked. Text is only ever written with textContent.
(function () {
  "use strict";
  if (window.lladaCandidates) return;
  window.lladaCandidates = true;
  var pop = null, returnTo = null;  // the popover; the grid to give focus back to when opened by keyboard

  function read(cell) {
    try { return JSON.parse(cell.getAttribute("data-k")); } catch (e) { return null; }
  }
  function quoted(text) { return "\u201c" + text.replace(/ /g, "\u2423") + "\u201d"; }
  function percent(perMille) { return (perMille / 10).toFixed(1) + "%"; }
  function heading(cell, k) {
    var n = k.length - 2, where = "position " + cell.getAttribute("data-pos") + " \u00b7 ";
    return where + (k[1] ? "masked: the model's top " + n + " now (step " + k[0] + ")"
      : "chosen at step " + k[0] + " from these " + n);
  }
  function cellAt(target) {
    return target && target.closest ? target.closest(".llada-view .cell[data-k]") : null;
  }

  // Hover: the native tooltip gains the candidates the first time the pointer or the keyboard reaches the cell.
  function enrich(cell) {
    if (!cell || cell.hasAttribute("data-kt")) return;
    var k = read(cell);
    if (!k) return;
    var lines = [];
    for (var i = 2; i < k.length; i++) lines.push(quoted(k[i][0]) + " " + percent(k[i][1]));
    cell.setAttribute("data-kt", "");
    cell.title += "\n" + (k[1] ? "top " + (k.length - 2) + " now: " : "chosen at step " + k[0] + " from: ") +
      lines.join(" \u00b7 ");
  }

  function close(refocus) {
    if (pop) { pop.remove(); pop = null; }
    if (refocus !== false && returnTo && document.body.contains(returnTo)) returnTo.focus();
    returnTo = null;
  }

  // A grid inside an element with data-pick="ID" lets a candidate be picked: the choice is written as JSON
  // into the Gradio textbox #ID, whose input event the app handles (the Rewind & branch tab).
  function pick(target, value) {
    var box = document.querySelector("#" + target + " textarea, #" + target + " input");
    if (!box) return;
    var setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), "value").set;
    setter.call(box, JSON.stringify(value));
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function open(cell) {
    var k = read(cell);
    if (!k) return;
    close(false);
    var position = Number(cell.getAttribute("data-pos"));
    var holder = cell.closest("[data-pick]"), target = holder ? holder.getAttribute("data-pick") : null;
    pop = document.createElement("div");
    pop.className = "llada-pop";
    pop.setAttribute("role", "dialog");
    pop.setAttribute("aria-label", "candidates of position " + position);
    var head = document.createElement("div");
    head.className = "llada-pop-head";
    head.textContent = heading(cell, k);
    head.appendChild(button("\u00d7", close)).className = "llada-pop-close";
    pop.appendChild(head);
    for (var i = 2; i < k.length; i++) {
      var row = document.createElement("div"), text = document.createElement("span");
      var bar = document.createElement("span"), fill = document.createElement("span");
      var value = document.createElement("span");
      row.className = "llada-pop-row";
      text.className = "llada-pop-text";
      text.textContent = quoted(k[i][0]);
      bar.className = "llada-pop-bar";
      fill.style.width = Math.max(0, Math.min(100, k[i][1] / 10)) + "%";
      bar.appendChild(fill);
      value.className = "llada-pop-p";
      value.textContent = percent(k[i][1]);
      row.appendChild(text);
      row.appendChild(bar);
      row.appendChild(value);
      if (target) {
        row.appendChild(button("use", (function (rank) {
          return function () { pick(target, { position: position, rank: rank, n: Date.now() }); close(); };
        })(i - 2))).className = "llada-pop-use";
      }
      pop.appendChild(row);
    }
    if (target && !k[1]) {  // only a committed cell can be masked again
      pop.appendChild(button("put the mask back", function () {
        pick(target, { position: position, mask: true, n: Date.now() });
        close();
      })).className = "llada-pop-mask";
    }
    document.body.appendChild(pop);
    var rect = cell.getBoundingClientRect();
    var left = Math.min(rect.left, document.documentElement.clientWidth - pop.offsetWidth - 8);
    pop.style.left = Math.max(4, left + window.scrollX) + "px";
    pop.style.top = rect.bottom + window.scrollY + 4 + "px";
    var first = pop.querySelector(".llada-pop-use, .llada-pop-close");
    if (first && cell.closest(".llada-grid.kbd")) { returnTo = cell.closest(".llada-grid"); first.focus(); }
  }

  document.addEventListener("mouseover", function (event) { enrich(cellAt(event.target)); });
  document.addEventListener("click", function (event) {
    if (pop && pop.contains(event.target)) return;
    var cell = cellAt(event.target);
    if (cell) {
      var grid = cell.closest(".llada-grid");
      if (grid) grid.classList.remove("kbd");
      open(cell);
    } else close(false);  // a click elsewhere keeps its own focus
  });
  // Keyboard: the grid takes focus (tabindex); arrows move a highlight between cells, Enter or Space opens the
  // highlighted cell's candidates, Escape closes them.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); return; }
    var grid = event.target && event.target.closest ? event.target.closest(".llada-grid[tabindex]") : null;
    if (!grid || event.target !== grid) return;
    var cells = grid.querySelectorAll(".cell"), current = grid.querySelector(".cell.kfocus");
    var index = current ? Array.prototype.indexOf.call(cells, current) : -1;
    var cols = parseInt(grid.style.getPropertyValue("--cols"), 10) || 8, next = index;
    if (event.key === "ArrowRight") next = index + 1;
    else if (event.key === "ArrowLeft") next = index - 1;
    else if (event.key === "ArrowDown") next = index < 0 ? 0 : index + cols;
    else if (event.key === "ArrowUp") next = index - cols;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = cells.length - 1;
    else if ((event.key === "Enter" || event.key === " ") && current) {
      event.preventDefault();
      grid.classList.add("kbd");
      enrich(current);
      open(current);
      return;
    } else return;
    event.preventDefault();
    next = Math.max(0, Math.min(cells.length - 1, next));
    if (current) current.classList.remove("kfocus");
    cells[next].classList.add("kfocus");
    grid.setAttribute("aria-label", cells[next].title);  // what a screen reader says for the highlighted cell
    enrich(cells[next]);
    cells[next].scrollIntoView({ block: "nearest" });
  });
})();
