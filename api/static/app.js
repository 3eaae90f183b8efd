// Assistenz pages: small plain JavaScript, no build step, no inline script (the CSP allows
// only files from /static). Every action goes through the JSON API with the session's CSRF
// token; afterwards the page is fetched again and its <main> swapped in, so what the page
// shows is always what the server says.
(() => {
  "use strict";

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";
  const words = () => ($("#words") || { dataset: {} }).dataset;
  const fmt = (text, values) => String(text || "").replace(/\{(\w+)\}/g,
    (all, key) => (key in values ? String(values[key]) : all));
  // the same rule as agent/review.py: a letter or an ellipsis inside square brackets
  const PLACEHOLDER = /\[[^[\]\n]{0,200}?(?:\p{L}|…|\.\.\.)[^[\]\n]{0,200}?\]/gu;

  function flash(text, bad) {
    const box = $("#flash");
    if (!box) return;
    box.textContent = text;
    box.classList.toggle("bad", Boolean(bad));
    box.hidden = !text;
  }

  async function api(path, body) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body || {}),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) {
      let detail = data && data.detail !== undefined ? data.detail : response.status;
      if (detail && typeof detail === "object") detail = detail.message || JSON.stringify(detail);
      flash(fmt(words().error, { detail }), true);
    }
    return { ok: response.ok, status: response.status, data };
  }

  async function refresh() {
    const response = await fetch(location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const sel of ["main", "header.top"]) {
      const fresh = $(sel, doc);
      const old = $(sel);
      if (fresh && old) old.replaceWith(document.importNode(fresh, true));
    }
    setup();
  }

  // --- the draft card ---------------------------------------------------------------

  // what she must fill in or delete: placeholders in brackets, and the lines meant for her
  // ("Offen für Sie: …"; the markers come from the page, prompts/llm/material.yaml)
  function gapsOf(text, markers) {
    const found = Array.from(String(text).matchAll(PLACEHOLDER), (m) => m[0]);
    for (const line of String(text).split("\n")) {
      const start = line.trimStart();
      if (markers.some((m) => start.startsWith(m))) found.push(line.trim());
    }
    return found;
  }

  function checkGaps(form) {
    const body = $("[data-body]", form);
    if (!body) return;
    const found = gapsOf(body.value, JSON.parse(form.dataset.openMarkers || "[]"));
    const box = $("[data-gaps]", form);
    const list = $("[data-gap-list]", form);
    list.replaceChildren(...found.map((g) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "gap";
      b.dataset.gap = "";
      b.textContent = g;
      return b;
    }));
    box.hidden = found.length === 0;
    $("[data-approve]", form).disabled = found.length > 0;
  }

  function addresses(value) {
    return String(value || "").split(/[,;]/).map((s) => s.trim()).filter(Boolean);
  }

  async function approve(form) {
    const card = form.closest("[data-draft-card]");
    checkGaps(form);
    if ($("[data-approve]", form).disabled) return;
    const result = await api(`/api/v1/drafts/${card.dataset.draft}/approve`, {
      to: addresses(form.elements.to.value),
      cc: addresses(form.elements.cc.value),
      subject: form.elements.subject.value,
      body: form.elements.body.value,
    });
    if (result.ok) { flash(""); await refresh(); }
  }

  let timers = [];
  function countdowns() {
    timers.forEach(clearInterval);
    timers = [];
    for (const card of $$("[data-seconds-left]")) {
      let left = parseInt(card.dataset.secondsLeft, 10) || 0;
      const label = $("[data-countdown]", card);
      const tick = () => {
        if (left > 0) {
          label.textContent = fmt(words().sendingIn, { seconds: left });
        } else {
          label.textContent = words().sendingNow;
          const undo = $("[data-undo]", card);
          if (undo) undo.disabled = true;
        }
        left -= 1;
        if (left < -2) {
          clearInterval(timer);
          refresh();
        }
      };
      const timer = setInterval(tick, 1000);
      timers.push(timer);
      tick();
    }
    // replies on their way: look again until they left
    if ($$('[data-draft-card][data-status="queued"], [data-draft-card][data-status="sending"]').length
        && !$$("[data-seconds-left]").length) {
      timers.push(setTimeout(refresh, 3000));
    }
  }

  // --- correcting the decision ------------------------------------------------------

  function changed(select) {
    const initial = Array.from(select.options).find((o) => o.defaultSelected);
    return select.value !== (initial ? initial.value : "");
  }

  async function correct(form, override) {
    const body = {};
    for (const name of ["category", "action", "assignee"]) {
      const select = form.elements[name];
      if (changed(select) && select.value) body[name] = select.value;
    }
    Object.assign(body, override || {});
    if (!Object.keys(body).length) return;
    flash(words().correcting);
    const result = await api(`/api/v1/messages/${form.dataset.message}/correction`, body);
    if (result.ok) { flash(""); await refresh(); }
  }

  // --- lists: selection, bulk actions, keyboard -------------------------------------

  const items = () => $$("[data-item]");
  let current = -1;

  function select(index) {
    const all = items();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach((el, i) => el.classList.toggle("current", i === current));
    const el = all[current];
    el.scrollIntoView({ block: "nearest" });
    const link = $("a", el);
    if (link) link.focus({ preventScroll: true });
  }

  function chosen() {
    const picked = $$("[data-select]:checked").map((c) => parseInt(c.value, 10));
    if (picked.length) return picked;
    const el = items()[current];
    return el ? [parseInt(el.dataset.message, 10)] : [];
  }

  // --- teams for a job ---------------------------------------------------------------

  async function formTeam(form) {
    const data = new FormData(form);
    const list = (name) => String(data.get(name) || "").split(",").map((x) => x.trim()).filter(Boolean);
    const body = {
      id: data.get("id"), name: data.get("name"), members: data.getAll("members"),
      until: data.get("until"),
      match: { senders: list("senders"), domains: list("domains"), keywords: list("keywords") },
    };
    if ((await api("/api/v1/teams", body)).ok) { flash(""); await refresh(); }
  }

  async function bulk(action, ids) {
    const messages = ids || chosen();
    if (!messages.length) { flash(words().bulkNone, true); return; }
    const result = await api("/api/v1/bulk", { action, messages });
    if (!result.ok) return;
    const skipped = Object.keys(result.data.skipped || {}).length;
    await refresh();
    flash([fmt(words().bulkDone, { n: result.data.done.length }),
      skipped ? fmt(words().bulkSkipped, { n: skipped }) : ""].join(" ").trim(), skipped > 0);
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]") || $("dialog[open]")) {
      if (event.key === "Escape" && target.blur) target.blur();
      return;
    }
    const page = document.body.dataset.page;
    const key = event.key;
    const act = () => { event.preventDefault(); };
    if (key === "?") { act(); $("#help").showModal(); return; }
    if (page === "message") {
      if (key === "a") { const f = $("[data-draft-form]"); if (f) { act(); approve(f); } }
      else if (key === "e") { const b = $("[data-body]"); if (b) { act(); b.focus(); } }
      else if (key === "#") { const f = $("[data-correct]"); if (f) { act(); correct(f, { action: "ignore" }); } }
      else if (key === "u") { act(); location.href = "/"; }
      return;
    }
    if (key === "j") { act(); select(current + 1); }
    else if (key === "k") { act(); select(current - 1); }
    else if ((key === "Enter" || key === "o") && items()[current] && target.tagName !== "A") {
      act(); location.href = items()[current].dataset.href;
    } else if (key === "x" && items()[current]) {
      act(); const box = $("[data-select]", items()[current]); if (box) box.checked = !box.checked;
    } else if (key === "a") {
      const el = items()[current];
      if (el && el.dataset.draft && el.dataset.gaps === "0") { act(); bulk("approve", [parseInt(el.dataset.message, 10)]); }
      else if (el && el.dataset.draft) { act(); location.href = `${el.dataset.href}#edit`; }
    } else if (key === "e" && items()[current]) { act(); location.href = `${items()[current].dataset.href}#edit`; }
    else if (key === "#") { act(); bulk("ignore"); }
  }

  // --- wiring -----------------------------------------------------------------------

  function setup() {
    for (const form of $$("[data-draft-form]")) checkGaps(form);
    countdowns();
    current = -1;
    if (location.hash === "#edit") {
      const body = $("[data-body]");
      if (body) { body.focus(); body.setSelectionRange(0, 0); }
    }
  }

  document.addEventListener("click", async (event) => {
    const el = event.target.closest("button, [data-gap]");
    if (!el) return;
    const card = el.closest("[data-draft-card]");
    if (el.matches("[data-help]")) { $("#help").showModal(); }
    else if (el.matches("[data-gap]")) {
      const body = $("[data-body]", card);
      const at = body.value.indexOf(el.textContent);
      if (at >= 0) { body.focus(); body.setSelectionRange(at, at + el.textContent.length); }
    } else if (el.matches("[data-reject-open]")) {
      const box = $("[data-reject]", card); box.hidden = false; $("input", box).focus();
    } else if (el.matches("[data-reject-cancel]")) { $("[data-reject]", card).hidden = true; }
    else if (el.matches("[data-reject-confirm]")) {
      const reason = $("[data-reject] input", card).value;
      if ((await api(`/api/v1/drafts/${card.dataset.draft}/reject`, { reason })).ok) await refresh();
    } else if (el.matches("[data-undo]")) {
      el.disabled = true;
      if ((await api(`/api/v1/drafts/${card.dataset.draft}/undo`)).ok) flash("");
      await refresh();
    } else if (el.matches("[data-stop]")) {
      if ((await api(`/api/v1/outbox/${card.dataset.draft}/stop`)).ok) await refresh();
    } else if (el.matches("[data-archive]")) {
      if ((await api(`/api/v1/messages/${el.dataset.archive}/archive`)).ok) await refresh();
    } else if (el.matches("[data-dissolve]")) {
      if ((await api(`/api/v1/teams/${encodeURIComponent(el.dataset.dissolve)}/dissolve`)).ok) await refresh();
    } else if (el.matches("[data-bulk]")) { await bulk(el.dataset.bulk); }
    else if (el.matches("[data-tab]")) {
      const which = el.dataset.tab;
      $$("[data-tab]").forEach((t) => t.setAttribute("aria-selected", String(t === el)));
      $$("[data-pane]").forEach((p) => { p.hidden = p.dataset.pane !== which; });
    }
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-draft-form]")) { event.preventDefault(); approve(form); }
    else if (form.matches("[data-correct]")) { event.preventDefault(); correct(form); }
    else if (form.matches("[data-team-form]")) { event.preventDefault(); formTeam(form); }
  });

  document.addEventListener("input", (event) => {
    if (event.target.matches("[data-body]")) checkGaps(event.target.closest("form"));
  });

  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-select-all]")) {
      $$("[data-select]").forEach((box) => { box.checked = event.target.checked; });
    }
  });

  document.addEventListener("keydown", onKey);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
