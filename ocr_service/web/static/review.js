/* The case view: keyboard-first field navigation, evidence boxes linked to fields, zoom and pan.
   No framework. Two modes: moving between field rows (J/K, A, S, N...) and correcting a value in its
   control (Enter to start, Enter or Esc to finish). Tab and Shift+Tab work as usual throughout. */
(function () {
  "use strict";
  const form = document.getElementById("case-form");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll(".field"));
  const viewport = document.getElementById("viewport");
  const figures = Array.from(document.querySelectorAll("figure.page"));
  const zoomLabel = document.getElementById("zoom-level");
  const STEPS = [0.25, 0.33, 0.5, 0.67, 0.75, 1, 1.25, 1.5, 2, 3, 4];
  let current = -1;
  let scale = null; // null: fit to the viewport's width

  const controlOf = (row) => row.querySelector(".control select, .control input");
  const acceptOf = (row) => row.querySelector(".accept input");
  const isEditable = (el) => el && (el.matches("input[type=text], input[type=password], select, textarea"));

  /* ---- boxes and pages ---- */
  function visibleFigure() { return figures.find((f) => !f.hidden) || figures[0]; }
  function showPage(n) {
    figures.forEach((f) => { f.hidden = String(f.dataset.page) !== String(n); });
    document.querySelectorAll(".page-btn").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.page) === String(n) ? "true" : "false"));
    applyZoom();
  }
  function activateBox(id) {
    document.querySelectorAll(".box.active").forEach((b) => b.classList.remove("active"));
    document.querySelectorAll("fieldset.charge.active").forEach((f) => f.classList.remove("active"));
    if (!id) return;
    const box = document.getElementById(id);
    if (!box) return;
    box.classList.add("active");
    const fs = form.querySelector(`fieldset.charge[data-box="${id}"]`);
    if (fs) fs.classList.add("active");
    const fig = box.closest("figure.page");
    if (fig && fig.hidden) showPage(fig.dataset.page);
    scrollBoxIntoView(box, fig);
  }
  function scrollBoxIntoView(box, fig) {
    if (!viewport || !fig) return;
    const rect = box.querySelector("rect");
    const k = fig.querySelector(".stage").clientWidth / Number(fig.dataset.width);
    const x = Number(rect.getAttribute("x")) * k, y = Number(rect.getAttribute("y")) * k;
    const w = Number(rect.getAttribute("width")) * k, h = Number(rect.getAttribute("height")) * k;
    const top = fig.offsetTop + y, left = x;
    const vw = viewport.clientWidth, vh = viewport.clientHeight;
    if (top < viewport.scrollTop || top + h > viewport.scrollTop + vh) viewport.scrollTop = Math.max(0, top - vh / 3);
    if (left < viewport.scrollLeft || left + Math.min(w, vw) > viewport.scrollLeft + vw) viewport.scrollLeft = Math.max(0, left - 20);
  }

  /* ---- zoom and pan ---- */
  function fitScale() {
    const fig = visibleFigure();
    return fig ? viewport.clientWidth / Number(fig.dataset.width) : 1;
  }
  function applyZoom() {
    const fig = visibleFigure();
    if (!fig || !viewport) return;
    figures.forEach((f) => {
      const stage = f.querySelector(".stage");
      stage.style.width = scale === null ? "100%" : `${Math.round(Number(f.dataset.width) * scale)}px`;
    });
    if (zoomLabel) zoomLabel.textContent = scale === null ? `fit (${Math.round(fitScale() * 100)}%)` : `${Math.round(scale * 100)}%`;
  }
  function zoom(direction, anchor) {
    const now = scale === null ? fitScale() : scale;
    const next = direction > 0 ? STEPS.find((s) => s > now + 0.001) : [...STEPS].reverse().find((s) => s < now - 0.001);
    if (!next) return;
    const ax = anchor ? anchor.x : viewport.clientWidth / 2, ay = anchor ? anchor.y : viewport.clientHeight / 2;
    const fx = (viewport.scrollLeft + ax) / now, fy = (viewport.scrollTop + ay) / now;
    scale = next;
    applyZoom();
    viewport.scrollLeft = fx * next - ax;
    viewport.scrollTop = fy * next - ay;
  }
  function fit() { scale = null; applyZoom(); }

  if (viewport) {
    document.getElementById("zoom-in")?.addEventListener("click", () => zoom(1));
    document.getElementById("zoom-out")?.addEventListener("click", () => zoom(-1));
    document.getElementById("zoom-fit")?.addEventListener("click", fit);
    document.querySelectorAll(".page-btn").forEach((b) => b.addEventListener("click", () => showPage(b.dataset.page)));
    viewport.addEventListener("wheel", (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      const r = viewport.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 1 : -1, { x: e.clientX - r.left, y: e.clientY - r.top });
    }, { passive: false });
    let drag = null;
    viewport.addEventListener("pointerdown", (e) => {
      if (e.button !== 0 || e.target.closest(".box")) return;
      drag = { x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop, moved: false };
      viewport.setPointerCapture(e.pointerId);
      viewport.classList.add("dragging");
    });
    viewport.addEventListener("pointermove", (e) => {
      if (!drag) return;
      drag.moved = true;
      viewport.scrollLeft = drag.left - (e.clientX - drag.x);
      viewport.scrollTop = drag.top - (e.clientY - drag.y);
    });
    const endDrag = () => { drag = null; viewport.classList.remove("dragging"); };
    viewport.addEventListener("pointerup", endDrag);
    viewport.addEventListener("pointercancel", endDrag);
    window.addEventListener("resize", applyZoom);
    applyZoom();
  }

  /* ---- fields ---- */
  function setCurrent(i) {
    if (i < 0 || i >= rows.length) return;
    if (current >= 0) rows[current].classList.remove("focused");
    current = i;
    rows[i].classList.add("focused");
    activateBox(rows[i].dataset.box);
  }
  function focusRow(i) {
    if (i < 0 || i >= rows.length) return;
    setCurrent(i);
    rows[i].focus({ preventScroll: true });
    rows[i].scrollIntoView({ block: "nearest" });
  }
  function edit(i) {
    const c = controlOf(rows[i]);
    if (!c) return;
    c.focus();
    if (c.select && c.tagName === "INPUT") c.select();
  }
  function refreshState(row) {
    const c = controlOf(row), a = acceptOf(row);
    row.classList.toggle("changed", !!c && c.value !== row.dataset.original);
    row.classList.toggle("accepted", !!a && a.checked && !(c && c.value !== row.dataset.original));
  }
  function toggleAccept(i) {
    const a = acceptOf(rows[i]);
    if (!a) return;
    a.checked = !a.checked;
    refreshState(rows[i]);
  }
  function save() { if (form.requestSubmit) form.requestSubmit(); else form.submit(); }
  function go(id) { const a = document.getElementById(id); if (a) window.location.assign(a.href); }

  rows.forEach((row, i) => {
    row.addEventListener("focusin", () => setCurrent(i));
    row.addEventListener("input", () => refreshState(row));
    row.addEventListener("change", () => refreshState(row));
    refreshState(row);
  });
  document.querySelectorAll("g.box").forEach((g) => {
    g.addEventListener("click", () => {
      const i = rows.findIndex((r) => r.dataset.box === g.id);
      if (i >= 0) focusRow(i);
    });
  });

  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") { e.preventDefault(); save(); return; }
    if (isEditable(t)) {
      const row = t.closest(".field");
      if (t.tagName === "TEXTAREA") {
        if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); save(); }
        else if (e.key === "Escape") { e.preventDefault(); document.getElementById("save")?.focus(); }
        return;
      }
      if (row && (e.key === "Escape" || e.key === "Enter")) {
        e.preventDefault();
        focusRow(rows.indexOf(row));
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const onRow = t && t.classList && t.classList.contains("field");
    const k = e.key;
    if (k === "j" || (k === "ArrowDown" && onRow)) { e.preventDefault(); focusRow(Math.min(rows.length - 1, current + 1)); }
    else if (k === "k" || (k === "ArrowUp" && onRow)) { e.preventDefault(); focusRow(Math.max(0, current - 1)); }
    else if (k === "f") {
      e.preventDefault();
      const n = rows.findIndex((r, i) => i > current && r.classList.contains("flagged"));
      focusRow(n >= 0 ? n : rows.findIndex((r) => r.classList.contains("flagged")));
    }
    else if ((k === "Enter" || k === "e") && onRow) { e.preventDefault(); edit(current); }
    else if (k === "a" && current >= 0) { e.preventDefault(); toggleAccept(current); }
    else if (k === "s") { e.preventDefault(); save(); }
    else if (k === "n") { e.preventDefault(); go(document.getElementById("saved-next") ? "saved-next" : "next-case"); }
    else if (k === "q") { e.preventDefault(); go("to-queue"); }
    else if (k === "+" || k === "=") { e.preventDefault(); zoom(1); }
    else if (k === "-") { e.preventDefault(); zoom(-1); }
    else if (k === "0") { e.preventDefault(); fit(); }
  });

  /* ---- where the keyboard starts ---- */
  const saved = document.getElementById("saved");
  const err = document.getElementById("form-error");
  const invalid = rows.findIndex((r) => r.classList.contains("invalid"));
  if (saved) { saved.focus(); }
  else if (invalid >= 0) { focusRow(invalid); }
  else if (err) { err.focus(); }
  else {
    const flagged = rows.findIndex((r) => r.classList.contains("flagged"));
    focusRow(flagged >= 0 ? flagged : 0);
  }
})();
