// The Relayguard operations console: a page that reads and changes blocks, the allowlist, warnings and the
// audit log through the operations API, with the operator's bearer token. It polls the API every few seconds,
// so new blocks and lifts appear without a reload. All text from the API goes into the page as text nodes.
"use strict";

(() => {
  const TOKEN_KEY = "relayguard.token";
  const REFRESH_MS = 3000;
  // The block list reads pages of this size and stops after BLOCK_ROWS rows until the user asks for more, so a
  // registry with many blocks neither hides rows nor stalls the page.
  const PAGE_SIZE = 500;
  const BLOCK_ROWS = 2000;
  const SVG = "http://www.w3.org/2000/svg";

  const state = { token: null, me: null, view: "blocks", detail: null, auditNext: null, auditPaged: false, timer: null, busy: false, blockRows: BLOCK_ROWS };
  const $ = (id) => document.getElementById(id);

  class ApiError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body || {};
    }
  }

  // Creates an element with attributes, event handlers (onclick: ...) and children (nodes or text).
  function el(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") element.className = value;
      else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      element.append(child instanceof Node ? child : String(child));
    }
    return element;
  }

  function svg(tag, attributes, ...children) {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, value);
    for (const child of children) element.append(child instanceof Node ? child : String(child));
    return element;
  }

  function time(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    return date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  // Joins the lines of a reason typed into a text box: the API refuses line breaks and other control characters,
  // because the audit log and the CLI show each reason on one line.
  function oneLine(text) {
    return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").replace(/ {2,}/g, " ").trim();
  }

  function percent(share) {
    return (Math.round(share * 1000) / 10) + "%";
  }

  function path(kind, subject) {
    return `${kind}/${encodeURIComponent(subject)}`;
  }

  async function api(method, url, body) {
    const headers = { Authorization: "Bearer " + state.token, Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ApiError(0, "The operations API is unreachable: " + error.message);
    }
    const text = await response.text();
    let json = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { detail: text.slice(0, 200) };
    }
    if (response.status === 401 && state.me) {
      signOut("The token is no longer accepted. Sign in again.");
    }
    if (!response.ok) {
      throw new ApiError(response.status, json.detail || json.title || `${response.status} ${response.statusText}`, json);
    }
    return json;
  }

  function setRows(tableId, rows, emptyId) {
    const body = $(tableId).tBodies[0];
    body.replaceChildren(...rows);
    if (emptyId) $(emptyId).hidden = rows.length > 0;
  }

  function notice(text) {
    const element = $("notice");
    element.textContent = text;
    element.hidden = false;
  }

  // Sign-in and sign-out.

  async function signIn(token, quiet) {
    state.token = token;
    try {
      state.me = await api("GET", "/api/me");
    } catch (error) {
      state.token = null;
      sessionStorage.removeItem(TOKEN_KEY);
      if (!quiet) {
        $("sign-in-error").textContent = error.status === 401
          ? "This token was not accepted. Check that you copied all of it."
          : error.message;
      }
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    $("sign-in-error").textContent = "";
    $("who").textContent = `Signed in as ${state.me.name} (${state.me.role})`;
    document.body.classList.toggle("read-only", state.me.role !== "operate");
    $("sign-in").hidden = true;
    $("app").hidden = false;
    $("sign-out").hidden = false;
    showView("blocks");
  }

  function signOut(message) {
    clearTimeout(state.timer);
    state.token = null;
    state.me = null;
    state.detail = null;
    sessionStorage.removeItem(TOKEN_KEY);
    $("app").hidden = true;
    $("sign-out").hidden = true;
    $("who").textContent = "";
    $("sign-in").hidden = false;
    $("sign-in-error").textContent = message || "";
  }

  // Views and polling.

  function showView(view) {
    state.view = view;
    for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("selected", tab.dataset.view === view);
    for (const name of ["blocks", "allowlist", "warnings", "audit"]) $("view-" + name).hidden = name !== view;
    $("notice").hidden = true;
    state.auditPaged = false;
    refresh();
  }

  async function refresh() {
    clearTimeout(state.timer);
    if (!state.me) return;
    // The lift dialog does not stop the refresh, so a lift by a colleague closes it (see loadDetail).
    if (!$("confirm-dialog").open && !state.busy) {
      state.busy = true;
      try {
        if (state.view === "blocks") {
          await loadBlocks();
          if (state.detail) await loadDetail();
        } else if (state.view === "allowlist") {
          await loadAllowlist();
        } else if (state.view === "warnings") {
          await loadWarnings();
        } else if (state.view === "audit" && !state.auditPaged) {
          await loadAudit(false);
        }
        $("status").textContent = "Updated " + new Date().toISOString().slice(11, 19) + " UTC";
      } catch (error) {
        $("status").textContent = "Could not update: " + error.message;
      } finally {
        state.busy = false;
      }
    }
    if (state.me) state.timer = setTimeout(refresh, REFRESH_MS);
  }

  // Blocks.

  // Reads the blocks that match the filters, following the API's next cursor up to state.blockRows rows. The subject
  // search is done by the API (an exact subject, or an account with its per-address blocks), so it finds a block
  // however many others there are.
  async function loadBlocks() {
    const query = new URLSearchParams({ state: $("filter-state").value, limit: String(PAGE_SIZE) });
    if ($("filter-kind").value) query.set("kind", $("filter-kind").value);
    if ($("filter-code").value) query.set("code", $("filter-code").value);
    const subject = $("filter-subject").value.trim();
    if (subject) query.set("subject", subject);
    const items = [];
    let next = null;
    try {
      do {
        if (next) query.set("after", next);
        const page = await api("GET", "/api/blocks?" + query);
        items.push(...page.items);
        next = page.next;
      } while (next && items.length < state.blockRows);
    } catch (error) {
      if (error.status !== 400) throw error;
      setRows("blocks-table", [], "blocks-empty");
      $("blocks-empty").textContent = error.message;
      $("blocks-more").hidden = true;
      return;
    }
    const rows = items.map((block) => {
      const selected = state.detail && state.detail.kind === block.kind && state.detail.subject === block.subject;
      return el("tr", { class: selected ? "selected" : null, "data-subject": block.subject },
        el("td", {}, block.subject),
        el("td", {}, block.kind),
        el("td", { class: "code" }, block.code),
        el("td", {}, block.scope),
        el("td", { class: "state-" + block.state }, block.state),
        el("td", {}, time(block.blockedAt)),
        el("td", {}, expiry(block, "until lifted")),
        el("td", { class: "reason" }, block.reason),
        el("td", {}, el("button", { type: "button", class: "show-evidence", onclick: () => openDetail(block.kind, block.subject) }, "Evidence")));
    });
    setRows("blocks-table", rows, "blocks-empty");
    $("blocks-empty").textContent = subject
      ? `No blocks of ${subject} match the filters. The search matches a whole subject: an account (with its per-address blocks), an address or a prefix.`
      : "No blocks match the filters.";
    $("blocks-more").hidden = !next;
    $("blocks-more-text").textContent = `Showing the first ${items.length} blocks; more match the filters.`;
  }

  // Returns how a block ends. A lifted block shows its lift, as the CLI does, whatever its expiry was.
  function expiry(block, whenNone) {
    if (block.state === "lifted") return "lifted " + time(block.liftedAt);
    return block.expiresAt ? time(block.expiresAt) : whenNone;
  }

  async function openDetail(kind, subject) {
    state.detail = { kind, subject, blocks: [] };
    $("detail").hidden = false;
    $("detail-title").textContent = `${kind} ${subject}`;
    $("detail-blocks").replaceChildren(el("p", { class: "muted" }, "Loading…"));
    $("chart").replaceChildren();
    await loadDetail();
    await loadBlocks();
    $("detail").scrollIntoView({ block: "nearest" });
  }

  async function loadDetail() {
    const { kind, subject } = state.detail;
    const result = await api("GET", "/api/blocks/" + path(kind, subject));
    if (!state.detail || state.detail.subject !== subject) return;
    state.detail.blocks = result.blocks;
    const active = [...new Set(result.blocks.filter((block) => block.state === "active").map((block) => block.code))];
    state.detail.activeCodes = active;
    $("detail-title").textContent = `${kind} ${subject}: ` + (active.length ? "blocked by " + active.join(", ") : "not blocked now");
    $("lift-button").hidden = active.length === 0;
    $("detail-blocks").replaceChildren(...result.blocks.map(blockCard));
    if ($("lift-dialog").open && active.length === 0) {
      // A colleague lifted the block while the dialog was open.
      $("lift-dialog").close();
      notice(`${kind} ${subject} is no longer blocked: ${liftedBy(result.blocks)}.`);
    }
    // The chart shows CA1's counts, which tell nothing about AUTH, BO1, CA2, RL1 or OP1 blocks.
    if (kind === "account" && result.blocks.some((block) => block.code === "CA1")) await loadChart(subject.split("/")[0]);
    else $("chart").replaceChildren();
  }

  // Names who lifted the newest lifted block and when, for a notice.
  function liftedBy(blocks) {
    const lifted = blocks.filter((block) => block.liftedAt).sort((a, b) => b.liftedAt.localeCompare(a.liftedAt))[0];
    return lifted ? `${lifted.liftedBy} lifted it at ${time(lifted.liftedAt)}: ${lifted.liftReason}` : "it ended";
  }

  function blockCard(block) {
    const evidence = block.evidence || { summary: block.evidenceSummary, counts: {}, samples: [] };
    const facts = [
      ["State", el("span", { class: "state-" + block.state }, block.state)],
      ["Scope", block.scope],
      ["Blocked", `${time(block.blockedAt)} by ${block.setBy}`],
      ["Expires", expiry(block, "never (until an operator lifts it)")],
      ["Reason", block.reason],
      ["Evidence", evidence.summary],
    ];
    if (block.onIp) facts.unshift(["Address", `${block.onIp} (this block is on ${block.subject} only)`]);
    if (block.liftedAt) facts.push(["Lifted", `${time(block.liftedAt)} by ${block.liftedBy}: ${block.liftReason}`]);
    if (evidence.traceId) facts.push(["Trace id", el("code", {}, evidence.traceId)]);
    const counts = Object.entries(evidence.counts || {});
    const samples = evidence.samples || [];
    return el("div", { class: "block-card", "data-code": block.code },
      el("h3", {}, `${block.code} `, el("span", { class: "muted" }, `block ${block.id}`)),
      el("dl", {}, facts.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)])),
      el("div", { class: "evidence-tables" },
      counts.length ? el("table", { class: "counts" },
        el("thead", {}, el("tr", {}, el("th", {}, "Count at the decision"), el("th", {}, "Value"))),
        el("tbody", {}, counts.map(([name, value]) => el("tr", {}, el("td", {}, name), el("td", { class: "number" }, countText(name, value)))))) : null,
      samples.length ? el("table", { class: "samples" },
        el("thead", {}, el("tr", {}, el("th", {}, "Sample"), el("th", {}, "Detail"), el("th", {}, "At"))),
        el("tbody", {}, samples.map((sample) => el("tr", {}, el("td", {}, sample.value), el("td", {}, sample.detail || ""), el("td", {}, time(sample.at))))))
        : el("p", { class: "muted" }, block.evidenceSamplesDeletedAt ? `Samples deleted ${time(block.evidenceSamplesDeletedAt)}.` : "No samples.")));
  }

  // Shows shares as percentages and durations in seconds in the largest whole unit.
  function countText(name, value) {
    if (/share$/i.test(name)) return percent(value);
    if (/seconds$/i.test(name)) {
      for (const [unit, seconds] of [["d", 86400], ["h", 3600], ["min", 60]]) {
        if (value >= seconds && value % seconds === 0) return `${value / seconds} ${unit}`;
      }
      return `${value} s`;
    }
    return Number.isInteger(value) ? String(value) : value.toFixed(3);
  }

  async function loadChart(account) {
    let counts;
    try {
      counts = await api("GET", `/api/accounts/${encodeURIComponent(account)}/ca1?windows=24`);
    } catch (error) {
      $("chart").replaceChildren(el("p", { class: "muted" }, "No CA1 counts: " + error.message));
      return;
    }
    const windows = counts.windows.map((window) => ({
      start: window.windowStart,
      invalid: window.invalidRecipients,
      distinct: window.distinctRecipients,
      share: window.distinctRecipients ? window.invalidRecipients / window.distinctRecipients : 0,
    }));
    const level = (window) =>
      window.invalid >= counts.minInvalidRecipients && window.share >= counts.minInvalidShare ? "over"
        : counts.warnAt > 0 && window.invalid >= counts.warnAt * counts.minInvalidRecipients && window.share >= counts.warnAt * counts.minInvalidShare ? "near"
          : "";
    const hours = counts.windowSeconds / 3600;
    const period = hours === 1 ? `the last ${windows.length} hours` : `the last ${windows.length} windows of ${hours} h`;
    $("chart").replaceChildren(
      el("h3", {}, `CA1 counts of ${account}, ${period}`),
      el("div", { class: "charts" },
        barChart("Invalid recipients", windows,
          (window) => window.invalid, counts.minInvalidRecipients, counts.warnAt * counts.minInvalidRecipients, (value) => String(Math.round(value)), level),
        barChart("Share of invalid recipients", windows,
          (window) => window.share, counts.minInvalidShare, counts.warnAt * counts.minInvalidShare, percent, level)),
      el("p", { class: "muted legend" },
        "Dashed red line: the block threshold. Dotted orange line: the warning level. A red bar reached both thresholds, an orange bar the warning level of both. " +
        "A lift starts the counts again, so a window before the last lift shows only what came after it. The evidence of each block, below, keeps the counts at the decision."));
  }

  // Draws one bar per window with dashed lines at the block threshold and the warning level.
  function barChart(title, windows, valueOf, limit, warn, format, level) {
    const width = 360, height = 140, left = 34, bottom = 18, top = 10;
    const max = Math.max(limit * 1.25, ...windows.map(valueOf)) || 1;
    const y = (value) => top + (height - top - bottom) * (1 - value / max);
    const step = (width - left) / windows.length;
    const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
    chart.append(svg("line", { class: "axis", x1: left, x2: width, y1: y(0), y2: y(0) }));
    windows.forEach((window, index) => {
      const value = valueOf(window);
      const bar = svg("rect", { class: "bar " + level(window), x: left + index * step + 1, width: Math.max(step - 2, 1), y: y(value), height: Math.max(y(0) - y(value), value > 0 ? 1 : 0) });
      const recipients = window.distinct === 1 ? "recipient" : "recipients";
      bar.append(svg("title", {}, `${time(window.start)}: ${window.invalid} of ${window.distinct} ${recipients} invalid (${percent(window.share)})`));
      chart.append(bar);
    });
    chart.append(svg("line", { class: "limit", x1: left, x2: width, y1: y(limit), y2: y(limit) }));
    chart.append(svg("text", { x: 2, y: y(limit) + 3 }, format(limit)));
    if (warn > 0) {
      chart.append(svg("line", { class: "warn", x1: left, x2: width, y1: y(warn), y2: y(warn) }));
      // Keeps the two labels apart when the lines are close, as with 20% and 16% on a tall scale.
      const labelY = Math.abs(y(warn) - y(limit)) < 10 ? y(limit) + 13 : y(warn) + 3;
      chart.append(svg("text", { x: 2, y: labelY }, format(warn)));
    }
    if (windows.length) {
      chart.append(svg("text", { x: left, y: height - 4 }, time(windows[0].start).slice(5, 16)));
      chart.append(svg("text", { x: width - 70, y: height - 4 }, time(windows[windows.length - 1].start).slice(5, 16)));
    }
    return el("figure", { class: "chart" }, el("figcaption", {}, title), chart);
  }

  function openLift() {
    const { kind, subject, activeCodes } = state.detail;
    $("lift-subject").textContent = `${kind} ${subject} is blocked by ${activeCodes.join(", ")}. Lifting lets it send again at once.`;
    $("lift-code").replaceChildren(
      el("option", { value: "" }, `every active code (${activeCodes.join(", ")})`),
      ...activeCodes.map((code) => el("option", { value: code }, `only ${code}`)));
    $("lift-reason").value = "";
    $("lift-error").textContent = "";
    $("lift-dialog").showModal();
    $("lift-reason").focus();
  }

  async function confirmLift(event) {
    event.preventDefault();
    const reason = oneLine($("lift-reason").value);
    if (!reason) {
      $("lift-error").textContent = "Give a reason: it is kept in the audit log.";
      return;
    }
    const { kind, subject } = state.detail;
    try {
      const result = await api("POST", `/api/blocks/${path(kind, subject)}/lift`, { reason, code: $("lift-code").value || null });
      $("lift-dialog").close();
      const count = result.blocks.length === 1 ? "" : ` (${result.blocks.length} blocks: ${result.subjects.join(", ")})`;
      notice(`Lifted ${result.codes.join(", ")} on ${kind} ${subject}.${count}`);
      await refresh();
    } catch (error) {
      if (error.status !== 404) {
        $("lift-error").textContent = error.message;
        return;
      }
      // Nothing was active any more, for example because a colleague lifted the block first: show it as it is now.
      $("lift-dialog").close();
      notice(error.message);
      await refresh();
    }
  }

  // Allowlist, warnings and audit log.

  async function loadAllowlist() {
    const list = await api("GET", "/api/allowlist");
    setRows("allow-table", list.items.map((entry) => el("tr", { "data-subject": entry.subject },
      el("td", {}, entry.subject),
      el("td", {}, entry.kind),
      el("td", {}, entry.code || "all rules"),
      el("td", {}, entry.expiresAt ? time(entry.expiresAt) : "never"),
      el("td", {}, entry.addedBy),
      el("td", {}, time(entry.addedAt)),
      el("td", { class: "reason" }, entry.reason),
      el("td", {}, el("button", { type: "button", class: "operate-only", onclick: () => confirmRemove(entry) }, "Remove")))), "allow-empty");
  }

  async function addAllowlistEntry(event) {
    event.preventDefault();
    const body = {
      kind: $("allow-kind").value,
      subject: $("allow-subject").value.trim(),
      code: $("allow-code").value || null,
      for: $("allow-for").value.trim() || null,
      reason: oneLine($("allow-reason").value),
    };
    try {
      const entry = await api("POST", "/api/allowlist", body);
      $("allow-form").reset();
      $("allow-error").textContent = "";
      const until = entry.expiresAt ? `until ${time(entry.expiresAt)}` : "with no expiry";
      notice(`Allowlisted ${entry.kind} ${entry.subject} for ${entry.code || "all rules"}, ${until}.`);
      await loadAllowlist();
    } catch (error) {
      $("allow-error").textContent = error.message;
    }
  }

  function confirmRemove(entry) {
    const rules = entry.code || "all rules";
    $("confirm-title").textContent = "Remove an allowlist entry";
    $("confirm-text").textContent = `${entry.kind} ${entry.subject} will be counted and blocked again by ${rules}.`;
    $("confirm-error").textContent = "";
    state.pendingRemoval = entry;
    $("confirm-dialog").showModal();
  }

  async function removeEntry(event) {
    event.preventDefault();
    const entry = state.pendingRemoval;
    try {
      await api("DELETE", `/api/allowlist/${path(entry.kind, entry.subject)}?code=${encodeURIComponent(entry.code || "all")}`);
      $("confirm-dialog").close();
      notice(`Removed the allowlist entry of ${entry.kind} ${entry.subject}.`);
      await loadAllowlist();
    } catch (error) {
      $("confirm-error").textContent = error.message;
    }
  }

  async function loadWarnings() {
    const list = await api("GET", "/api/warnings?limit=100");
    setRows("warnings-table", list.items.map((warning) => el("tr", {},
      el("td", {}, warning.account),
      el("td", { class: "code" }, warning.code),
      el("td", {}, `${time(warning.windowStart)} to ${time(warning.windowEnd).slice(11)}`),
      el("td", {}, `${warning.invalidRecipients} of ${warning.distinctRecipients}`),
      el("td", {}, percent(warning.invalidShare)),
      el("td", {}, `${warning.minInvalidRecipients} and ${percent(warning.minInvalidShare)}, warned at ${percent(warning.warnAt)}`),
      el("td", {}, time(warning.warnedAt)))), "warnings-empty");
  }

  async function loadAudit(older) {
    const query = new URLSearchParams({ limit: "50" });
    if (older && state.auditNext) query.set("after", state.auditNext);
    const page = await api("GET", "/api/audit?" + query);
    const rows = page.items.map((entry) => el("tr", {},
      el("td", {}, time(entry.at)),
      el("td", {}, entry.actor),
      el("td", {}, entry.action),
      el("td", {}, entry.kind || ""),
      el("td", {}, entry.subject || ""),
      el("td", {}, entry.code || ""),
      el("td", { class: "reason" }, entry.reason || "")));
    if (older) $("audit-table").tBodies[0].append(...rows);
    else setRows("audit-table", rows);
    state.auditNext = page.next;
    $("audit-older").hidden = !page.next;
  }

  // Wiring.

  document.addEventListener("DOMContentLoaded", () => {
    $("sign-in-form").addEventListener("submit", (event) => {
      event.preventDefault();
      signIn($("token").value.trim(), false);
    });
    $("sign-out").addEventListener("click", () => signOut(""));
    for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showView(tab.dataset.view));
    for (const id of ["filter-kind", "filter-code", "filter-state"]) $(id).addEventListener("change", refresh);
    // Waits for a pause in typing, so the API is not asked for every partial subject.
    let typing = null;
    $("filter-subject").addEventListener("input", () => {
      clearTimeout(typing);
      typing = setTimeout(refresh, 400);
    });
    $("blocks-more-button").addEventListener("click", () => {
      state.blockRows += BLOCK_ROWS;
      refresh();
    });
    $("block-filters").addEventListener("submit", (event) => event.preventDefault());
    $("detail-close").addEventListener("click", () => {
      state.detail = null;
      $("detail").hidden = true;
      refresh();
    });
    $("lift-button").addEventListener("click", openLift);
    $("lift-form").addEventListener("submit", confirmLift);
    $("lift-cancel").addEventListener("click", () => $("lift-dialog").close());
    $("allow-form").addEventListener("submit", addAllowlistEntry);
    $("confirm-form").addEventListener("submit", removeEntry);
    $("confirm-cancel").addEventListener("click", () => $("confirm-dialog").close());
    $("audit-older").addEventListener("click", () => {
      state.auditPaged = true;
      loadAudit(true).catch((error) => { $("status").textContent = error.message; });
    });

    const saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) signIn(saved, true);
  });
})();
