// mockswitch dashboard: the journal live (server-sent events), the fault rules, the campaigns.
// Plain JavaScript, no build step, no external requests: every URL is relative to this
// page's own `.../_mock/`, so /t/<tenant>/_mock/ui shows that tenant.
"use strict";

(() => {
  const BASE = location.pathname.replace(/ui\/?$/, ""); // ".../_mock/"
  const TENANT = (location.pathname.match(/^\/t\/([^/]+)\/_mock\//) || [null, null])[1];
  const HISTORY = 200; // calls read when the page opens or reconnects
  const MAX_ROWS = 500; // calls kept on the page; older ones drop off the end
  const RECONNECT_MS = 1500;

  const PRESETS = {
    fail: { name: "Fail next call", action: { type: "envelope", code: "500" }, times: 1 },
    latency: { name: "Add 500 ms latency", latency: { fixed_ms: 500 } },
    reset: { name: "Reset next connection", action: { type: "reset" }, times: 1 },
  };
  // Each fault action kind's label, from the server (data/functions); a kind it does not
  // name shows its type.
  const ACTION_LABELS = {};
  const SHOWN_FIELDS = [
    "dtype", "dnumber", "callerid", "attempts", "maximum", "retry",
    "machine", "success", "keep_agents_available", "owner", "recordgroup", "timegroup",
  ];

  const $ = (id) => document.getElementById(id);
  const rows = new Map(); // call id -> <li>
  let newestId = 0;
  let source = null;
  let reconnectTimer = null;
  let previousCampaigns = null; // id -> campaign, to flash what changed
  let progress = {}; // campaign id -> {pending, success, failed, cancelled, in_progress}
  let clockTimer = null;
  const CLOCK_POLL_MS = 1000; // while a real clock runs, the dialler moves without calls

  // ---- small helpers ----------------------------------------------------------------------

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // A server with an admin token answers a change without it with 401: ask once, keep the
  // token for this tab (sessionStorage), and send it with every call from then on.
  const TOKEN_KEY = "mockswitch-admin-token";
  function storedToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || "";
    } catch {
      return ""; // storage refused (a privacy setting): ask each time instead
    }
  }
  function storeToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // not kept: the next change asks again
    }
  }

  async function api(method, path, body, askedForToken = false) {
    const init = { method, headers: { Accept: "application/json" } };
    const token = storedToken();
    if (token) init.headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(BASE + path, init);
    if (response.status === 401 && !askedForToken) {
      storeToken(""); // missing or wrong: forget it, and ask
      const given = window.prompt(
        token ? "That admin token was refused. The admin token:" : "This mockswitch needs its admin token for changes:",
      );
      if (given && given.trim()) {
        storeToken(given.trim());
        return api(method, path, body, true);
      }
    }
    const text = await response.text();
    let document_ = null;
    try {
      document_ = text ? JSON.parse(text) : null;
    } catch {
      document_ = null;
    }
    if (!response.ok) {
      const message = document_ && document_.error ? document_.error.message : `HTTP ${response.status}`;
      throw new Error(message);
    }
    return document_;
  }

  let toastTimer = null;
  function toast(message, isError) {
    const box = $("toast");
    box.textContent = message;
    box.classList.toggle("error", Boolean(isError));
    box.classList.add("show");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => box.classList.remove("show"), isError ? 6000 : 3000);
  }

  function setConnection(state, text) {
    $("connection").dataset.state = state;
    $("connection-text").textContent = text;
  }

  function clock(at) {
    const moment = new Date(at);
    if (Number.isNaN(moment.getTime())) return at;
    const pad = (n, size = 2) => String(n).padStart(size, "0");
    return `${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}.${pad(moment.getMilliseconds(), 3)}`;
  }

  function ms(value) {
    if (value >= 100) return `${Math.round(value)} ms`;
    return `${Number(value).toFixed(1)} ms`;
  }

  // A function name may wrap after a slash, never inside a word.
  function breakable(name) {
    return name.split("/").flatMap((part, i) => (i ? ["/", el("wbr"), part] : [part]));
  }

  function codeClass(code) {
    if (/^[23]/.test(code)) return "code-ok";
    if (/^4/.test(code)) return "code-warn";
    return "code-err";
  }

  // ---- calls -------------------------------------------------------------------------------

  function faultText(call) {
    const fault = call.fault;
    if (!fault || !fault.action) return null;
    let text = ACTION_LABELS[fault.action] || fault.action;
    if (fault.action === "envelope") text += ` ${call.code}`;
    if (fault.action === "http") text += ` ${call.http_status}`;
    return text;
  }

  function callRow(call) {
    const unknown = call.unknown || [];
    const fault = faultText(call);
    const latency = call.latency_ms > 0;
    // A fault that strikes before the switch looks leaves no authenticated user: show who
    // the call said it was.
    const user = call.username || (call.params || {}).auth_username || "";
    const classes = ["call"];
    if (fault) classes.push("is-fault");
    else if (latency && call.fault) classes.push("is-latency");
    if (unknown.length) classes.push("is-unknown");
    if (call.stub) classes.push("is-stub");
    if (call.proxied) classes.push("is-proxied");
    const warnings = call.warnings || [];
    if (warnings.length) classes.push("is-warned");

    const badges = el("span", { class: "badges" });
    if (fault) {
      badges.append(el("span", { class: "badge fault", title: `Injected by fault rule ${call.fault.rule}` }, `Fault: ${fault}`));
    }
    if (latency) {
      badges.append(el("span", { class: "badge latency", title: "Injected latency" }, `+${ms(call.latency_ms)}`));
    }
    if (unknown.length) {
      badges.append(el("span", { class: "badge unknown", title: "Parameters this function does not know" }, `Unknown: ${unknown.join(", ")}`));
    }
    if (call.stub) {
      badges.append(el("span", { class: "badge stub", title: `Answered by stub ${call.stub} (/_mock/stubs/${call.stub})` }, `Stub ${call.stub}`));
    }
    if (call.proxied) {
      badges.append(el("span", { class: "badge proxied", title: "Forwarded to the real switch (--proxy-to)" }, "Proxied"));
    }
    if (warnings.length) {
      badges.append(el("span", { class: "badge warning", title: warnings.join("\n") }, warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`));
    }
    badges.append(el("span", { class: `badge ${codeClass(call.code)}`, title: `Enswitch code ${call.code}, HTTP ${call.http_status}` }, call.code || String(call.http_status)));

    const summary = el(
      "summary",
      {},
      el("span", { class: "cid" }, `#${call.id}`),
      el("time", { datetime: call.at }, clock(call.at)),
      el("span", { class: "method" }, call.method),
      el(
        "span",
        { class: "what" },
        el("span", { class: "fn" }, breakable(call.function || call.path)),
        user ? el("span", { class: "user" }, `as ${user}`) : null,
      ),
      badges,
      el("span", { class: "duration" }, ms(call.duration_ms)),
      el("span", { class: "chevron", "aria-hidden": "true" }, "›"),
    );
    const details = el("details", {}, summary);
    // The detail is built when first opened: most calls are never expanded.
    details.addEventListener("toggle", () => {
      if (details.open && details.childElementCount === 1) details.append(callDetail(call));
    });
    const li = el("li", { class: classes.join(" "), dataset: { id: call.id, function: call.function } }, details);
    li.dataset.search = [
      call.id, call.function, call.method, call.username, call.code, call.http_status,
      Object.entries(call.params || {}).map(([k, v]) => `${k}=${v}`).join(" "),
      fault || "", unknown.length ? "unknown" : "",
      call.stub ? "stub" : "", call.proxied ? "proxied" : "", warnings.length ? "warning" : "",
    ].join(" ").toLowerCase();
    return li;
  }

  function callDetail(call) {
    const unknown = new Set(call.unknown || []);
    const table = el("table", { class: "params" });
    const body = el("tbody");
    const params = Object.entries(call.params || {});
    for (const [name, value] of params) {
      const isUnknown = unknown.has(name);
      body.append(
        el(
          "tr",
          { class: isUnknown ? "unknown-param" : null },
          el("th", { scope: "row" }, name, isUnknown ? el("span", { class: "tag" }, "unknown") : null),
          el("td", {}, value),
        ),
      );
    }
    table.append(el("caption", { class: "visually-hidden" }, `Parameters of call ${call.id}`), body);

    let bodyText = call.body || "";
    try {
      bodyText = JSON.stringify(JSON.parse(bodyText), null, 2);
    } catch {
      // not JSON (a fault may answer anything): shown as it is
    }
    const fault = faultText(call);
    const notes = [];
    if (call.fault) {
      const rule = `fault rule ${call.fault.rule}${call.fault.name ? ` “${call.fault.name}”` : ""}`;
      if (fault) {
        notes.push(el("p", { class: "fault-note" }, `Injected fault: ${fault}, by ${rule}${call.fault.processed ? " (after the switch handled the call)" : " (the switch never saw the call)"}.`));
      } else if (call.latency_ms > 0) {
        notes.push(el("p", { class: "fault-note latency-note" }, `Injected latency: ${ms(call.latency_ms)}, by ${rule}.`));
      }
    }
    for (const warning of call.warnings || []) {
      notes.push(el("p", { class: "fault-note warning-note" }, `Warning: ${warning}`));
    }
    if (unknown.size) {
      const plural = unknown.size > 1;
      notes.push(el("p", { class: "fault-note unknown-note" }, `Unknown parameter${plural ? "s" : ""}: ${[...unknown].join(", ")}. This function does not know ${plural ? "them" : "it"}: check the spelling.`));
    }
    return el(
      "div",
      { class: "detail" },
      notes,
      el(
        "section",
        {},
        el("h4", {}, "Parameters"),
        params.length ? table : el("p", { class: "note" }, "No parameters."),
        el("code", { class: "query" }, `${call.method} ${call.path}${call.query ? `?${call.query}` : ""}`),
      ),
      el(
        "section",
        {},
        el("h4", {}, "Response"),
        el("p", { class: "note" }, `HTTP ${call.http_status} · Enswitch ${call.code}${call.key ? ` (${call.key})` : ""} · took ${ms(call.duration_ms)}${call.truncated && call.truncated.length ? ` · cut in the journal: ${call.truncated.join(", ")}` : ""}`),
        el("pre", { class: "body" }, bodyText || "(empty body)"),
      ),
    );
  }

  function matchesFilter(li) {
    const wanted = $("filter").value.trim().toLowerCase();
    return !wanted || wanted.split(/\s+/).every((word) => li.dataset.search.includes(word));
  }

  function updateCounts() {
    const list = $("call-list");
    let shown = 0;
    for (const li of list.children) {
      const visible = matchesFilter(li);
      li.hidden = !visible;
      if (visible) shown += 1;
    }
    const total = list.childElementCount;
    $("call-count").textContent = shown === total ? String(total) : `${shown} of ${total}`;
    $("calls-empty").hidden = total > 0;
  }

  // Under a burst of calls, count once per frame rather than once per call.
  let countsFrame = 0;
  function countsSoon() {
    if (!countsFrame) {
      countsFrame = requestAnimationFrame(() => {
        countsFrame = 0;
        updateCounts();
      });
    }
  }

  function addCall(call, live) {
    if (rows.has(call.id)) return;
    const li = callRow(call);
    if (live) li.classList.add("is-new");
    li.hidden = !matchesFilter(li);
    rows.set(call.id, li);
    const list = $("call-list");
    // Newest first; ids only grow, so a live call goes on top.
    if (live || !list.firstChild || call.id > newestId) list.prepend(li);
    else list.append(li);
    newestId = Math.max(newestId, call.id);
    if (list.childElementCount > MAX_ROWS) {
      while (list.childElementCount > MAX_ROWS) {
        const last = list.lastElementChild;
        rows.delete(Number(last.dataset.id));
        last.remove();
      }
      const more = $("calls-more");
      more.hidden = false;
      more.textContent = `Showing the latest ${MAX_ROWS} calls; every call is at ${BASE}calls.`;
    }
  }

  function trim(oldest) {
    for (const [id, li] of rows) {
      if (oldest === null || id < oldest) {
        li.remove();
        rows.delete(id);
      }
    }
    if (oldest === null) $("calls-more").hidden = true;
    updateCounts();
  }

  function showHistory(page) {
    const open = new Set([...rows].filter(([, li]) => li.querySelector("details").open).map(([id]) => id));
    $("call-list").replaceChildren();
    rows.clear();
    newestId = 0;
    for (const call of page.calls) addCall(call, false); // newest first
    for (const id of open) {
      const li = rows.get(id);
      if (li) li.querySelector("details").open = true;
    }
    const more = $("calls-more");
    more.hidden = page.total <= page.calls.length;
    more.textContent = `Showing the latest ${page.calls.length} of ${page.total} calls; the rest are at ${BASE}calls.`;
    updateCounts();
  }

  async function connect() {
    clearTimeout(reconnectTimer);
    if (source) source.close();
    source = null;
    try {
      showHistory(await api("GET", `calls?order=desc&limit=${HISTORY}`));
    } catch (error) {
      setConnection("reconnecting", "Reconnecting…");
      reconnectTimer = setTimeout(connect, RECONNECT_MS);
      return;
    }
    refreshSoon();
    // The history says where the stream starts; a call committed in between is not lost.
    const stream = new EventSource(`${BASE}events?since=${newestId}`);
    source = stream;
    stream.addEventListener("open", () => setConnection("live", "Live"));
    stream.addEventListener("call", (event) => {
      addCall(JSON.parse(event.data), true);
      countsSoon();
      refreshSoon();
    });
    stream.addEventListener("journal", (event) => {
      trim(JSON.parse(event.data).oldest);
      refreshSoon();
    });
    stream.addEventListener("gone", () => {
      stream.close();
      setConnection("gone", "Tenant dropped");
    });
    stream.addEventListener("error", () => {
      // Start again from the history: it also covers a server that restarted.
      if (source !== stream || $("connection").dataset.state === "gone") return;
      stream.close();
      setConnection("reconnecting", "Reconnecting…");
      reconnectTimer = setTimeout(connect, RECONNECT_MS);
    });
  }

  // ---- faults ------------------------------------------------------------------------------

  function describeRule(rule) {
    const parts = [];
    if (rule.action) {
      const action = rule.action;
      let text = ACTION_LABELS[action.type] || action.type;
      if (action.type === "envelope") text += ` ${action.code}`;
      if (action.type === "http") text += ` ${action.status}`;
      parts.push(text);
    }
    if (rule.latency) {
      const [kind, value] = Object.entries(rule.latency)[0];
      parts.push(kind === "fixed_ms" ? `+${value} ms latency` : `latency ${kind.replace("_ms", "")} ${JSON.stringify(value)} ms`);
    }
    return parts.join(" + ");
  }

  function describeScope(rule) {
    const match = rule.match || {};
    const bits = [match.function ? match.function : "any function"];
    if (match.method) bits.push(match.method);
    if (match.username) bits.push(`user ${match.username}`);
    for (const [name, value] of Object.entries(match.params || {})) bits.push(`${name}=${value}`);
    let when = "every call";
    if (rule.times === 1) when = "next call";
    else if (rule.times) when = `next ${rule.times} calls`;
    if (rule.after) when += ` after ${rule.after}`;
    if (rule.probability < 1) when += `, ${Math.round(rule.probability * 100)}% of the time`;
    return `${bits.join(", ")} · ${when}`;
  }

  function renderFaults(document_) {
    const list = $("fault-list");
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.rule : undefined;
    list.replaceChildren();
    for (const rule of document_.rules) {
      const title = rule.name || describeRule(rule);
      const kind = rule.action ? "action" : "latency";
      const fired = rule.times ? `fired ${rule.fired} of ${rule.times}` : `fired ${rule.fired}×`;
      const state = rule.expired ? "used up" : "active";
      const remove = el(
        "button",
        { type: "button", class: "button remove", "aria-label": `Remove fault rule ${rule.id}: ${title}`, dataset: { rule: rule.id } },
        "Remove",
      );
      remove.addEventListener("click", () => removeRule(rule.id, remove));
      list.append(
        el(
          "li",
          { class: `rule kind-${kind}${rule.expired ? " expired" : ""}`, dataset: { ruleId: rule.id } },
          el(
            "div",
            { class: "rule-text" },
            el("div", { class: "rule-title" }, title, el("span", { class: "state" }, state)),
            el("div", { class: "rule-meta" }, `#${rule.id} · ${rule.name ? `${describeRule(rule)} · ` : ""}${describeScope(rule)} · ${fired}`),
          ),
          remove,
        ),
      );
    }
    if (document_.default_latency) {
      const [kind, value] = Object.entries(document_.default_latency)[0];
      list.append(el("li", { class: "rule kind-latency" }, el("div", { class: "rule-text" }, el("div", { class: "rule-title" }, "Default latency"), el("div", { class: "rule-meta" }, `${kind}: ${JSON.stringify(value)} on calls no rule fires for`))));
    }
    $("faults-empty").hidden = list.childElementCount > 0;
    $("clear-faults").hidden = document_.rules.length === 0;
    if (focused !== undefined) {
      const again = list.querySelector(`button[data-rule="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  async function loadFaults() {
    renderFaults(await api("GET", "faults"));
  }

  async function addPreset(button) {
    const preset = PRESETS[button.dataset.preset];
    const rule = structuredClone(preset);
    const fn = $("fault-function").value;
    if (fn) {
      rule.match = { function: fn };
      rule.name = `${preset.name} (${fn})`;
    }
    button.disabled = true;
    try {
      const added = await api("POST", "faults", rule);
      toast(`Added fault rule ${added.id}: ${added.name}`);
      await loadFaults();
    } catch (error) {
      toast(`Could not add the fault: ${error.message}`, true);
    } finally {
      button.disabled = false;
    }
  }

  async function removeRule(id, button) {
    button.disabled = true;
    try {
      await api("DELETE", `faults/${id}`);
      toast(`Removed fault rule ${id}`);
    } catch (error) {
      toast(`Could not remove rule ${id}: ${error.message}`, true);
    }
    await loadFaults().catch(() => {});
    // The button is gone: keep the keyboard user in the panel.
    const next = $("fault-list").querySelector("button") || document.querySelector(".preset");
    next.focus();
  }

  async function loadFunctions() {
    const document_ = await api("GET", "data/functions");
    Object.assign(ACTION_LABELS, document_.fault_kinds || {});
    const select = $("fault-function");
    for (const fn of document_.functions) {
      select.append(el("option", { value: fn.name }, fn.name));
    }
  }

  // ---- campaigns ---------------------------------------------------------------------------

  function renderCampaigns(document_) {
    const container = $("customer-list");
    const current = new Map();
    const withCampaigns = document_.customers.filter((c) => c.campaigns.length);
    const without = document_.customers.filter((c) => !c.campaigns.length);
    const names = new Map(document_.customers.map((c) => [c.id, c.name]));
    const cards = [];
    for (const customer of withCampaigns) {
      const items = customer.campaigns.map((campaign) => {
        current.set(campaign.id, campaign);
        const before = previousCampaigns ? previousCampaigns.get(campaign.id) : undefined;
        const changed = (field) => (before && before[field] !== campaign[field] ? "changed" : null);
        const fields = el("dl", { class: "fields" });
        for (const field of SHOWN_FIELDS) {
          const value = String(campaign[field]);
          const shown = value === "" ? el("dd", { class: `empty-value ${changed(field) || ""}`.trim(), title: "empty" }, "—") : el("dd", { class: changed(field) }, value);
          fields.append(el("div", {}, el("dt", {}, field.replaceAll("_", " ")), shown));
        }
        const isNew = previousCampaigns && !before;
        const done = progress[campaign.id];
        return el(
          "li",
          { class: `campaign${isNew ? " is-new" : ""}`, dataset: { campaign: campaign.id } },
          el(
            "div",
            { class: "campaign-head" },
            el("span", { class: `campaign-name ${changed("name") || ""}`.trim() }, campaign.name),
            el("span", { class: "campaign-id" }, `#${campaign.id}`),
            el("span", { class: `pill ${campaign.enabled ? "on" : "off"}${changed("enabled") ? " changed" : ""}` }, campaign.enabled ? "Enabled" : "Disabled"),
          ),
          campaign.description ? el("p", { class: `description ${changed("description") || ""}`.trim() }, campaign.description) : null,
          done ? progressBar(done) : null,
          fields,
        );
      });
      const parent = customer.parent !== null ? ` · under ${names.get(customer.parent) || `#${customer.parent}`}` : "";
      cards.push(
        el(
          "section",
          { class: "customer", "aria-label": `Customer ${customer.name}` },
          el("h3", {}, customer.name, el("span", { class: "meta" }, `customer #${customer.id}${parent} · ${customer.campaigns.length} campaign${customer.campaigns.length === 1 ? "" : "s"}`)),
          el("ul", { class: "campaigns" }, items),
        ),
      );
    }
    if (without.length) {
      cards.push(el("p", { class: "others" }, `No campaigns: ${without.map((c) => c.name).join(", ")}.`));
    }
    if (!cards.length) cards.push(el("p", { class: "empty small" }, "No customers."));
    container.replaceChildren(...cards);
    previousCampaigns = current;
  }

  async function loadCampaigns() {
    const [campaigns, dialler] = await Promise.all([api("GET", "data/campaigns"), api("GET", "data/dialler")]);
    progress = dialler.campaigns;
    renderClock(dialler.clock);
    renderCampaigns(campaigns);
  }

  // ---- the dialler: each campaign's progress, and the clock --------------------------------

  function progressBar(done) {
    const total = done.pending + done.success + done.failed + done.cancelled || 1;
    const bar = el("div", { class: "progress-bar", "aria-hidden": "true" });
    for (const status of ["success", "failed", "cancelled"]) {
      const part = el("span", { class: `part ${status}` });
      part.style.width = `${(100 * done[status]) / total}%`; // CSSOM: the CSP forbids style=""
      bar.append(part);
    }
    const count = (status, label) => el("span", { class: `progress-count ${status}`, dataset: { status } }, el("strong", {}, String(done[status])), ` ${label}`);
    return el(
      "div",
      { class: "progress" },
      bar,
      el(
        "p",
        { class: "progress-counts" },
        count("pending", "pending"),
        count("success", "success"),
        count("failed", "failed"),
        count("in_progress", "in progress"),
      ),
    );
  }

  function renderClock(clockState) {
    const now = new Date(clockState.now);
    const shown = now.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
    const time = $("clock-now");
    time.textContent = `${now.toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" })} ${shown}`;
    time.dateTime = clockState.now;
    const running = clockState.mode === "real";
    $("clock-mode").textContent = running ? `running ${clockState.speed}×` : "paused (virtual)";
    $("clock-mode").dataset.mode = clockState.mode;
    for (const button of document.querySelectorAll("[data-speed]")) {
      button.setAttribute("aria-pressed", String(running && Number(button.dataset.speed) === clockState.speed));
    }
    $("clock-pause").setAttribute("aria-pressed", String(!running));
    clearTimeout(clockTimer);
    if (running) clockTimer = setTimeout(refreshSoon, CLOCK_POLL_MS);
  }

  async function moveClock(method, path, body, message) {
    try {
      renderClock(await api(method, path, body));
      toast(message);
    } catch (error) {
      toast(`Could not move the clock: ${error.message}`, true);
    }
    await refresh();
  }

  async function stepClock() {
    try {
      const current = await api("GET", "clock");
      if (current.mode === "real") await api("PUT", "clock", { mode: "virtual" }); // stop it first
    } catch (error) {
      toast(`Could not read the clock: ${error.message}`, true);
      return;
    }
    await moveClock("POST", "clock/advance", { seconds: 60 }, "The clock moved one minute");
  }

  // Campaigns and rule counters change with calls: read them again, at most one read at a
  // time, and once more if something happened while reading.
  let refreshing = null;
  let refreshAgain = false;
  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 120);
  }
  async function refresh() {
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = Promise.all([loadCampaigns(), loadFaults()])
      .catch((error) => toast(`Could not read the data: ${error.message}`, true))
      .finally(() => {
        refreshing = null;
        if (refreshAgain) {
          refreshAgain = false;
          refresh();
        }
      });
    return refreshing;
  }

  // ---- reset -------------------------------------------------------------------------------

  async function reset(button) {
    button.disabled = true;
    try {
      await api("POST", "reset");
      trim(null);
      previousCampaigns = null;
      await refresh();
      toast("Reset: the data is back to the seed and the journal is empty");
    } catch (error) {
      toast(`Could not reset: ${error.message}`, true);
    } finally {
      button.disabled = false;
    }
  }

  // ---- start -------------------------------------------------------------------------------

  function start() {
    const apiPath = `${BASE.replace(/_mock\/$/, "")}api/json/`;
    $("tenant-name").textContent = TENANT ? decodeURIComponent(TENANT) : "default";
    $("api-url").textContent = `${location.origin}${apiPath}`;
    $("api-url-empty").textContent = `${location.origin}${apiPath}`;
    $("reset").addEventListener("click", (event) => reset(event.currentTarget));
    $("clear-faults").addEventListener("click", async () => {
      try {
        await api("DELETE", "faults");
        toast("Removed every fault rule");
      } catch (error) {
        toast(`Could not remove the rules: ${error.message}`, true);
      }
      await loadFaults().catch(() => {});
      document.querySelector(".preset").focus();
    });
    for (const button of document.querySelectorAll(".preset")) {
      button.addEventListener("click", () => addPreset(button));
    }
    $("filter").addEventListener("input", updateCounts);
    for (const button of document.querySelectorAll("[data-speed]")) {
      const speed = Number(button.dataset.speed);
      button.addEventListener("click", () => moveClock("PUT", "clock", { mode: "real", speed }, `The clock runs at ${speed}×`));
    }
    $("clock-pause").addEventListener("click", () => moveClock("PUT", "clock", { mode: "virtual" }, "The clock is paused"));
    $("clock-step").addEventListener("click", stepClock);
    // The labels first, so that the first rows and rules show them.
    loadFunctions().catch(() => {}).finally(connect);
  }

  start();
})();
