// The SwarmEdge dashboard: reads the admin API's /api/dashboard documents every second for the open view and
// writes every value into the page as text. Labels are written by whoever deploys a service, and the page shows
// them: nothing here builds markup from data (no innerHTML), and the Content-Security-Policy runs no other script.
"use strict";

const state = { view: "services", page: 1, filter: "", selected: null, trafficFilter: "", timer: null, busy: false };
const tokenKey = "swarmedge-admin-token";

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, String(value));
    else if (key === "title") node.title = String(value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function replaceRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

async function read(path) {
  const headers = {};
  const token = sessionStorage.getItem(tokenKey);
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch(path, { headers, cache: "no-store" });
  if (response.status === 401) {
    document.getElementById("login").hidden = false;
    throw new Error("the admin API wants its token");
  }
  if (!response.ok) {
    let detail = "";
    try { detail = (await response.json()).error || ""; } catch { /* no body */ }
    throw new Error(`${path}: ${response.status} ${detail}`);
  }
  return response.json();
}

const percent = ratio => ratio > 0 ? (ratio * 100).toFixed(ratio < 0.01 ? 2 : 1) + " %" : "0";
const rate = value => value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(1) : value > 0 ? value.toFixed(2) : "0";
const duration = seconds => seconds === null || seconds === undefined ? "-" : seconds < 1 ? (seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1) + " ms" : seconds.toFixed(2) + " s";
const time = iso => iso ? new Date(iso).toLocaleTimeString() : "-";
const ago = iso => {
  if (!iso) return "-";
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  return seconds < 90 ? `${seconds.toFixed(0)} s ago` : seconds < 5400 ? `${(seconds / 60).toFixed(0)} min ago` : `${(seconds / 3600).toFixed(1)} h ago`;
};

function sparkline(series) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("viewBox", "0 0 160 24");
  const max = Math.max(1e-9, ...series);
  const step = series.length > 1 ? 160 / (series.length - 1) : 160;
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", series.map((v, i) => `${(i * step).toFixed(1)},${(23 - (v / max) * 22).toFixed(1)}`).join(" "));
  svg.append(line);
  return svg;
}

async function refreshSummary() {
  const summary = await read("/api/dashboard/summary");
  const badges = [
    el("span", { class: "badge " + (summary.ready ? "ok" : "warn"), "data-badge": "ready" }, summary.ready ? "ready" : "not ready"),
    el("span", { class: "badge " + (summary.dockerError ? "bad" : "ok"), "data-badge": "docker", title: summary.dockerEndpoint || "" },
      summary.dockerError ? "Docker API: " + summary.dockerError : "Docker API " + ago(summary.lastReadAt)),
    el("span", { class: "badge" }, `${summary.services} services, ${summary.routed} routed, ${summary.endpoints} endpoints`),
    el("span", { class: "badge " + (summary.withErrors ? "warn" : "ok") }, `${summary.withErrors} with errors`),
    el("span", { class: "badge " + (summary.withoutEndpoints ? "warn" : "ok") }, `${summary.withoutEndpoints} routed without endpoints`),
    el("span", { class: "badge" }, `${rate(summary.requestsPerSecond)} req/s, ${percent(summary.errorRatio)} 5xx`),
  ];
  if (summary.routesFile) {
    badges.push(el("span", { class: "badge " + (summary.routesFile.error ? "bad" : "ok") },
      summary.routesFile.error ? "routes file: " + summary.routesFile.error : `routes file: ${summary.routesFile.services} services`));
  }
  if (summary.dnsErrors.length) {
    badges.push(el("span", { class: "badge warn", title: summary.dnsErrors.map(e => `${e.name}: ${e.error}`).join("\n") }, `DNS failing for ${summary.dnsErrors.length}`));
  }
  document.getElementById("badges").replaceChildren(...badges);
  const unreachable = summary.nodes.filter(n => n.reachable === false);
  document.getElementById("alerts").replaceChildren(...unreachable.map(n => el("div", { "data-node-alert": n.hostname },
    `Node ${n.hostname} (${n.address}): none of its tasks answers a connection from the edge while Docker reports them running since ${time(n.reachableSince)}. ` +
    "The overlay network to this node looks broken; requests go to other nodes' tasks.")));
}

async function refreshServices() {
  const query = new URLSearchParams({ q: state.filter, page: String(state.page), size: "50" });
  const page = await read("/api/dashboard/services?" + query);
  state.page = page.page;
  const pages = Math.max(1, Math.ceil(page.total / page.size));
  document.getElementById("count").textContent = `${page.total} services`;
  document.getElementById("page").textContent = `${page.page} / ${pages}`;
  replaceRows(document.querySelector("#service-table tbody"), page.items.map(s => {
    const row = el("tr", { class: "clickable" + (s.name === state.selected ? " selected" : ""), "data-service": s.name },
      el("td", {}, s.name),
      el("td", { class: "state-" + s.state }, s.state),
      el("td", { class: "num", "data-endpoints": s.endpoints }, s.endpoints),
      el("td", {}, s.hosts.join(", ")),
      el("td", { class: "num" + (s.errors ? " no" : "") }, s.errors),
      el("td", { class: "num" }, rate(s.requestsPerSecond)),
      el("td", { class: "num" }, percent(s.errorRatio)),
      el("td", { class: "num" }, duration(s.p99)));
    row.addEventListener("click", () => { state.selected = s.name; refresh(true); });
    return row;
  }));
  if (state.selected) await refreshDetail();
}

let lastTasks = 0;
let tasksOf = null;
async function refreshDetail() {
  const name = state.selected;
  if (tasksOf !== name) {
    // Another service: its own history at once, never the last one's meanwhile.
    tasksOf = name;
    lastTasks = 0;
    document.querySelector("#task-table tbody").replaceChildren();
    document.getElementById("restarts").textContent = "";
  }
  let service;
  try {
    service = await read("/api/dashboard/services/" + encodeURIComponent(name));
  } catch (e) {
    document.getElementById("detail").hidden = true;
    state.selected = null;
    return;
  }
  const detail = document.getElementById("detail");
  detail.hidden = false;
  detail.setAttribute("data-detail", service.name);
  document.getElementById("detail-name").replaceChildren(service.name, " ", el("span", { class: "state-" + service.state }, service.state));
  document.getElementById("detail-problems").replaceChildren(
    ...service.errors.map(e => el("div", { class: "problem", "data-error": "" }, e)),
    ...service.warnings.map(w => el("div", { class: "problem warning" }, w)),
    ...(service.dnsError ? [el("div", { class: "problem warning" }, "DNS: " + service.dnsError)] : []));
  replaceRows(document.querySelector("#endpoint-table tbody"), service.endpoints.map(e => el("tr", { "data-task": e.task },
    el("td", {}, e.task), el("td", {}, e.node || "-"), el("td", {}, e.address),
    el("td", { class: e.dnsSeen ? "yes" : "" }, e.dnsSeen ? "seen" : "-"),
    // YARP's "unknown": no active check configured or run yet; no passive failure seen.
    el("td", { class: "health-" + e.active }, e.active === "unknown" ? "not checked" : e.active),
    el("td", { class: "health-" + e.passive }, e.passive === "unknown" ? "no failure seen" : e.passive),
    el("td", { class: "num" }, e.inFlight))));
  replaceRows(document.querySelector("#route-table tbody"), service.routes.map(r => el("tr", {},
    el("td", {}, r.id), el("td", {}, r.hosts.join(", ") || "*"), el("td", {}, (r.exactPath ? "= " : "") + (r.path || "/")),
    el("td", {}, r.methods.join(", ") || "any"), el("td", { class: "num" }, r.port), el("td", {}, r.middlewares.join(" → ") || "-"))));
  document.getElementById("service-events").replaceChildren(...service.events.map(eventItem));
  // The task history is a Docker API read: every third second is enough.
  if (Date.now() - lastTasks > 2500) {
    lastTasks = Date.now();
    try {
      const history = await read(`/api/dashboard/services/${encodeURIComponent(name)}/tasks`);
      if (tasksOf !== name) return;
      document.getElementById("restarts").textContent = `${history.failedLastHour} failed in the last hour`;
      replaceRows(document.querySelector("#task-table tbody"), history.tasks.map(t => el("tr", { "data-task-id": t.id, class: t.failed ? "failed" : "" },
        el("td", { title: t.id }, t.id.slice(0, 12)), el("td", { class: "num" }, t.slot ?? "-"), el("td", {}, t.node || "-"),
        el("td", {}, t.desiredState), el("td", {}, t.state), el("td", {}, time(t.since)),
        el("td", { "data-ending": "", title: t.error || "" }, t.ending || "-"))));
    } catch (e) {
      document.getElementById("restarts").textContent = e.message;
    }
  }
}

function eventItem(e) {
  return el("li", { "data-event": e.action }, el("time", {}, time(e.time)), e.summary);
}

async function refreshTraffic() {
  const query = new URLSearchParams({ q: state.trafficFilter, size: "100" });
  const traffic = await read("/api/dashboard/traffic?" + query);
  document.getElementById("traffic-at").textContent = traffic.at ? `read ${time(traffic.at)}, every ${traffic.intervalSeconds} s; ${traffic.total} routes` : "no reading yet";
  replaceRows(document.querySelector("#traffic-table tbody"), traffic.routes.map(r => el("tr", { "data-route": r.route },
    el("td", {}, r.route), el("td", { class: "num" }, rate(r.requestsPerSecond)), el("td", { class: "num" + (r.errorRatio > 0.01 ? " no" : "") }, percent(r.errorRatio)),
    el("td", { class: "num" }, r.retries), el("td", { class: "num" }, duration(r.p50)), el("td", { class: "num" }, duration(r.p99)),
    el("td", {}, sparkline(r.series)))));
}

async function refreshEvents() {
  const events = await read("/api/dashboard/events?limit=200");
  document.getElementById("event-list").replaceChildren(...events.map(eventItem));
}

async function refreshNodes() {
  const summary = await read("/api/dashboard/summary");
  replaceRows(document.querySelector("#node-table tbody"), summary.nodes.map(n => el("tr", { "data-node": n.hostname },
    el("td", {}, n.hostname), el("td", {}, n.address || "-"), el("td", { class: n.up ? "yes" : "no" }, n.up ? "up" : "down"),
    el("td", { class: n.reachable === false ? "no" : n.reachable ? "yes" : "" }, n.reachable === null ? "no tasks to ask" : n.reachable ? `yes (${n.tasksAsked} asked)` : "NO"),
    el("td", { class: "num" }, n.endpoints), el("td", {}, time(n.reachableSince)))));
}

async function refresh(now) {
  if (state.busy && !now) return;
  state.busy = true;
  try {
    await refreshSummary();
    if (state.view === "services") await refreshServices();
    else if (state.view === "traffic") await refreshTraffic();
    else if (state.view === "events") await refreshEvents();
    else await refreshNodes();
    document.body.setAttribute("data-loaded", "true");
  } catch (e) {
    document.getElementById("badges").replaceChildren(el("span", { class: "badge bad" }, e.message));
  } finally {
    state.busy = false;
  }
}

function show(view) {
  state.view = view;
  for (const button of document.querySelectorAll("#tabs button")) button.classList.toggle("active", button.dataset.view === view);
  for (const section of document.querySelectorAll("main .view")) section.hidden = section.id !== view;
  refresh(true);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("#tabs button")) button.addEventListener("click", () => show(button.dataset.view));
  let typing;
  document.getElementById("filter").addEventListener("input", e => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.filter = e.target.value; state.page = 1; refresh(true); }, 200);
  });
  document.getElementById("traffic-filter").addEventListener("input", e => { state.trafficFilter = e.target.value; refresh(true); });
  document.getElementById("prev").addEventListener("click", () => { state.page = Math.max(1, state.page - 1); refresh(true); });
  document.getElementById("next").addEventListener("click", () => { state.page += 1; refresh(true); });
  document.getElementById("login").addEventListener("submit", e => {
    e.preventDefault();
    sessionStorage.setItem(tokenKey, document.getElementById("token").value.trim());
    document.getElementById("login").hidden = true;
    refresh(true);
  });
  refresh(true);
  state.timer = setInterval(() => refresh(false), 1000);
});
