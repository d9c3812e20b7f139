/* The records unit's page: drop (or choose) many files; one batch per drop, uploaded with a progress
   bar; then each document's step in the pipeline (uploaded, queued, processing, done or failed with its
   error code) is polled until all are finished. */
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form) return;
  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  const list = document.getElementById("batches");
  const status = document.getElementById("upload-status");
  const csrf = form.dataset.csrf;
  const STEPS = ["uploaded", "queued", "processing", "done"];
  const LABELS = { uploaded: "Uploaded", queued: "Queued", processing: "Processing", done: "Done", failed: "Failed" };
  const batches = [];
  let seq = 0;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function stepsFor(state) {
    const ol = el("ol", { class: "steps", "aria-label": "Pipeline steps" });
    const failed = state === "failed";
    const at = failed ? -1 : STEPS.indexOf(state);
    STEPS.forEach((s, i) => {
      let cls = "";
      if (!failed && i < at) cls = "done";
      if (!failed && i === at) cls = s === "done" ? "done" : "now";
      if (failed && i === 0) cls = "done";
      const li = el("li", { class: cls }, LABELS[s]);
      if (cls === "now") li.setAttribute("aria-current", "step");
      ol.append(li);
    });
    if (failed) ol.append(el("li", { class: "failed", "aria-current": "step" }, "✖ Failed"));
    return ol;
  }

  function renderDoc(doc) {
    const li = el("li", { "data-status": doc.status, "data-file": doc.file });
    li.append(el("span", { class: "doc-name" }, doc.file));
    const state = doc.status === "uploading" ? null : doc.status;
    if (state) li.append(stepsFor(state)); else li.append(el("span", {}, "Uploading…"));
    if (doc.error) {
      li.append(el("p", { class: "doc-error" }, el("code", {}, doc.error.code), " — ", doc.error.message || ""));
    }
    const extra = [];
    if (doc.duplicate) extra.push("already uploaded before: this is that document");
    if (doc.case_url) {
      const p = el("p", { class: "doc-error doc-case" });
      p.append(el("a", { href: doc.case_url }, "Open its case"));
      li.append(p);
    }
    if (extra.length) li.append(el("p", { class: "help doc-error" }, extra.join("; ")));
    return li;
  }

  function render(b) {
    b.box.querySelector("ol.docs").replaceChildren(...b.docs.map(renderDoc));
    const counts = { done: 0, failed: 0 };
    b.docs.forEach((d) => { if (d.status in counts) counts[d.status] += 1; });
    const finished = counts.done + counts.failed;
    b.box.querySelector("h3").textContent = b.id
      ? `Batch ${b.n}: ${finished} of ${b.docs.length} finished (${counts.done} done, ${counts.failed} failed)`
      : `Batch ${b.n}: uploading ${b.docs.length} file${b.docs.length === 1 ? "" : "s"}`;
    b.box.dataset.finished = String(b.id && finished === b.docs.length);
    summarise();
  }

  function summarise() {
    let total = 0, done = 0, failed = 0;
    batches.forEach((b) => b.docs.forEach((d) => {
      total += 1; if (d.status === "done") done += 1; if (d.status === "failed") failed += 1;
    }));
    status.textContent = `${total} file${total === 1 ? "" : "s"}: ${done} done, ${failed} failed, ${total - done - failed} in progress.`;
  }

  function poll(b) {
    fetch(`/upload/batches/${encodeURIComponent(b.id)}`, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => r.ok ? r.json() : Promise.reject(r.status))
      .then((body) => {
        b.docs = body.documents;
        render(b);
        if (b.docs.some((d) => d.status === "queued" || d.status === "processing")) setTimeout(() => poll(b), 1000);
      })
      .catch(() => setTimeout(() => poll(b), 3000));
  }

  function send(files) {
    if (!files.length) return;
    seq += 1;
    const b = { n: seq, id: null, docs: Array.from(files, (f) => ({ file: f.name, status: "uploading" })) };
    const bar = el("progress", { max: "100", value: "0", "aria-label": `Upload of batch ${seq}` });
    b.box = el("section", { class: "batch" }, el("h3", {}), bar, el("ol", { class: "docs" }));
    list.prepend(b.box);
    batches.push(b);
    render(b);
    const data = new FormData();
    Array.from(files).forEach((f) => data.append("files", f, f.name));
    const policy = document.getElementById("policy").value;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/upload/batches?policy=${encodeURIComponent(policy)}`);
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); });
    xhr.addEventListener("load", () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { body = null; }
      if (xhr.status === 202 && body) {
        bar.value = 100;
        b.id = body.id;
        b.docs = body.documents;
        render(b);
        poll(b);
      } else {
        const code = body && body.error ? body.error.code : `http_${xhr.status}`;
        const message = body && body.error ? body.error.message : "the upload failed";
        b.docs = b.docs.map((d) => ({ ...d, status: "failed", error: { code, message } }));
        render(b);
      }
    });
    xhr.addEventListener("error", () => {
      b.docs = b.docs.map((d) => ({ ...d, status: "failed", error: { code: "network_error", message: "the connection failed" } }));
      render(b);
    });
    xhr.send(data);
  }

  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "dragend"].forEach((t) => drop.addEventListener(t, () => drop.classList.remove("over")));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    send(e.dataTransfer.files);
  });
  input.addEventListener("change", () => { send(input.files); input.value = ""; });
  form.addEventListener("submit", (e) => { e.preventDefault(); send(input.files); });
})();
