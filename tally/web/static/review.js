/* Review with the keyboard: the write token typed once (kept in this tab's sessionStorage), then one key per
   action on the review queue (j/k move, c confirm, r reject, d dismiss, g then 1-5 grade, w withdraw, n note,
   ? help), and grade/confirm/reject buttons on an incident page. Every write goes to /api/review with the token.
   Without JavaScript both pages are read-only. */
(function () {
  "use strict";
  const TOKEN = "tally-write-token", WHO = "tally-analyst";
  const form = document.getElementById("write-token");
  if (!form) return;
  const status = document.getElementById("write-status");
  const note = document.getElementById("note");
  form.hidden = false;
  form.elements.by.value = sessionStorage.getItem(WHO) || "";

  function say(text) { status.textContent = text; }

  function ready() {
    say(sessionStorage.getItem(TOKEN) ? `writing as ${sessionStorage.getItem(WHO)}; press ? for the keys`
      : "enter your name and the write token to make corrections");
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN, form.elements.token.value.trim());
    sessionStorage.setItem(WHO, form.elements.by.value.trim());
    form.elements.token.value = "";
    document.activeElement.blur();
    ready();
  });
  document.getElementById("forget-token").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN);
    ready();
  });

  async function post(url, body) {
    const token = sessionStorage.getItem(TOKEN);
    if (!token) {
      form.elements.token.focus();
      throw new Error("enter the write token first");
    }
    const why = note ? note.value.trim() : "";
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...body, by: sessionStorage.getItem(WHO) || "", note: why }),
    });
    const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
    if (!res.ok) {
      if (res.status === 401) sessionStorage.removeItem(TOKEN);
      throw new Error(data.error || `HTTP ${res.status}`);
    }
    if (note) note.value = "";
    return data;
  }

  function done(data) {
    const c = data.correction;
    return c ? `${c.id}: ${c.action} ${c.target} (${c.status || "stored"})` : "note kept in the audit log";
  }

  // ---- the incident page: grade, confirm and reject buttons
  const panel = document.getElementById("incident-review");
  if (panel) {
    panel.hidden = false;
    document.querySelectorAll(".claim-actions").forEach((el) => { el.hidden = false; });
    document.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-act]");
      if (!button) return;
      const act = button.dataset.act;
      const target = act === "grade" ? panel.dataset.incident : button.dataset.claim;
      const value = act === "grade" ? { grade: button.dataset.grade } : {};
      post("/api/review/corrections", { action: act, target, value })
        .then((data) => { say(done(data)); setTimeout(() => window.location.reload(), 600); })
        .catch((err) => say(err.message));
    });
  }

  // ---- the review queue: one key per action
  const queue = document.getElementById("review-queue");
  const help = document.getElementById("review-keys");
  const noteBox = document.getElementById("note-box");
  ready();
  if (!queue) return;
  noteBox.hidden = false;
  const grades = queue.dataset.grades.split(" ");
  let at = 0, grading = false;

  function items() { return Array.from(queue.querySelectorAll("li.review-item")); }

  function select(i) {
    const all = items();
    if (!all.length) return;
    at = Math.max(0, Math.min(i, all.length - 1));
    all.forEach((el, n) => el.classList.toggle("current", n === at));
    all[at].focus({ preventScroll: true });
    all[at].scrollIntoView({ block: "nearest" });
  }

  function settle(action, extra) {
    const item = items()[at];
    if (!item) return;
    const allowed = item.dataset.actions.split(" ");
    if (action !== "note" && !allowed.includes(action)) {
      say(`this item takes ${allowed.join(", ")}, not ${action}`);
      return;
    }
    say(`${action}…`);
    post(`/api/review/items/${encodeURIComponent(item.dataset.item)}`, { action, ...extra })
      .then((data) => {
        say(done(data));
        if (action === "note") return;
        item.remove();
        const left = items().length;
        document.querySelector("h1 .count").textContent = `${left} open items`;
        select(at);
      })
      .catch((err) => say(err.message));
  }

  note.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      if (note.value.trim()) settle("note", {});
      select(at);
    } else if (e.key === "Escape") {
      select(at);
    }
  });

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest("input, textarea, select, button")) return;
    if (grading) {
      grading = false;
      const n = Number(e.key);
      if (n >= 1 && n <= grades.length) settle("grade", { grade: grades[n - 1] });
      else say("grading cancelled");
      return;
    }
    const keys = {
      j: () => select(at + 1), k: () => select(at - 1), c: () => settle("confirm", {}),
      r: () => settle("reject", {}), d: () => settle("dismiss", {}), w: () => settle("withdraw", {}),
      g: () => { grading = true; say(`grade: ${grades.map((g, n) => `${n + 1} ${g}`).join(", ")}`); },
      n: () => note.focus(), "?": () => { help.hidden = !help.hidden; },
    };
    if (keys[e.key]) {
      e.preventDefault();
      keys[e.key]();
    }
  });
  select(0);
})();
