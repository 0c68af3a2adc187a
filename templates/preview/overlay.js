// briefgen live preview: added to pages only by `briefgen serve`, never to output/*.html.
// Listens to the server's events: reloads the page when its HTML changes (on a brief's page
// by fetching the new HTML and swapping it in, which is faster than a navigation and keeps
// the scroll position), and shows the brief's problems (file:line:col and message) over
// the last good version. On an audience's version (data-audience) it follows the version's
// own state, and links only to the version's own pages. Its own controls sit in a toolbar
// across the top of the window, above the sheet (the page is moved down to make room), never
// over it; the line where page 1 ends is marked in the margin beside the sheet.
(() => {
  "use strict";
  const script = document.currentScript;
  const briefId = script.dataset.brief;          // "" on the index
  const audience = script.dataset.audience;      // "" but on a version's page
  const stateUrl = script.dataset.state;
  let version = Number(script.dataset.version);
  const instance = script.dataset.instance;
  const scrollKey = `briefgen-scroll:${location.pathname}`;
  const stateNode = document.getElementById("briefgen-preview-state");
  const STYLE = `
    :host { all: initial; }
    .toolbar { position: fixed; top: 0; left: 0; right: 0; z-index: 2147483646; box-sizing: border-box;
               display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; padding: 6px 12px;
               font: 12px/1.4 system-ui, sans-serif; color: #1a1d23; background: #fff;
               border-bottom: 1px solid #c9ced6; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
    .panel { position: fixed; top: calc(var(--toolbar, 0px) + 8px); left: 50%; transform: translateX(-50%); z-index: 2147483647;
             width: min(860px, calc(100vw - 24px)); box-sizing: border-box; max-height: 60vh; overflow: auto;
             font: 14px/1.45 system-ui, sans-serif; color: #1a1d23; background: #fff;
             border: 2px solid #c8102e; border-radius: 6px; box-shadow: 0 6px 24px rgba(0,0,0,.28); }
    .panel.overflowing { border-color: #d97706; }
    header { display: flex; gap: 12px; align-items: baseline; padding: 10px 14px; background: #fdecee; }
    .overflowing header { background: #fff4e0; }
    .headline { flex: 1; margin: 0; font-size: 15px; font-weight: 700; }
    button { font: inherit; font-size: 12px; cursor: pointer; }
    ol { margin: 0; padding: 8px 14px 12px 34px; }
    li { margin: 4px 0; overflow-wrap: anywhere; }
    code { font: 13px/1.4 ui-monospace, monospace; background: #f3f5f8; padding: 0 3px; border-radius: 3px; }
    .key { color: #5b6370; }
    .panel.collapsed ol { display: none; }
    .chip { flex: none; font: 12px/1 system-ui, sans-serif; padding: 6px 10px; border-radius: 12px;
            background: #1f3a5f; color: #fff; text-decoration: none; }
    .chip.failing, .chip.overflowing { background: #8b1a1a; }
    .chip.building { background: #5b6370; }
    .gauge { flex: 1 1 auto; min-width: 0; }
    .gauge .region { display: inline-block; margin-left: 10px; }
    .gauge .over { color: #c8102e; font-weight: 700; }
    .gauge .bar { display: inline-block; width: 40px; height: 6px; margin-right: 4px; background: #e3e6ea;
                  border-radius: 3px; overflow: hidden; vertical-align: middle; }
    .gauge .bar span { display: block; height: 100%; background: #1f3a5f; }
    .gauge .over .bar span { background: #c8102e; }
    .versions { flex: none; max-width: 260px; }
    .versions a { color: #1f3a5f; margin-left: 6px; }`;

  let root = null;
  let shown = null;              // the state on screen: laid out again when the window is resized

  function restoreScroll() {
    const saved = sessionStorage.getItem(scrollKey);
    if (saved !== null) {
      sessionStorage.removeItem(scrollKey);
      window.scrollTo(0, Number(saved));
    }
  }

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  function markUpdated() {     // when the new version is on screen (for bench/preview_latency.py)
    requestAnimationFrame(() => setTimeout(() => {
      window.briefgenPreview = { version, shownAt: performance.timeOrigin + performance.now() };
    }));
  }

  let swapping = Promise.resolve();
  function queueSwap() {         // one swap at a time, so an older version never lands last
    swapping = swapping.then(swapIn).catch(reload);
  }

  async function swapIn() {
    const response = await fetch(location.pathname, { cache: "no-store" });
    if (!response.ok) return reload();
    const next = new DOMParser().parseFromString(await response.text(), "text/html");
    const nextScript = next.querySelector("script[data-brief]");
    const nextState = next.getElementById("briefgen-preview-state");
    if (!nextScript || nextScript.dataset.instance !== instance) return reload();
    nextScript.remove();
    nextState.remove();
    version = Number(nextScript.dataset.version);
    document.documentElement.lang = next.documentElement.lang;
    document.head.replaceWith(document.adoptNode(next.head));
    document.body.replaceWith(document.adoptNode(next.body));
    root = null;
    render(JSON.parse(nextState.textContent));
    markUpdated();
  }

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
    children.forEach((child) => node.append(child));
    return node;
  }

  function headline(state) {
    const count = state.problems.length;
    if (state.status === "overflowing") return "Too long for one page: the PDF was not written";
    const where = state.has_html ? "showing the last good version" : "no good version yet";
    return `${count} problem${count === 1 ? "" : "s"} in ${state.file} (${where})`;
  }

  function problemsPanel(state) {
    const list = element("ol");
    state.problems.forEach((problem) => {
      const item = element("li");
      if (problem.where) item.append(element("code", { class: "where" }, problem.where), " ");
      item.append(problem.message);
      if (problem.key) item.append(" ", element("span", { class: "key" }, `(${problem.key})`));
      list.append(item);
    });
    const toggle = element("button", { type: "button" }, "Hide");
    const panel = element("section", { id: "problems", class: `panel ${state.status}`, role: "alert" },
                          element("header", {}, element("p", { class: "headline" }, headline(state)), toggle), list);
    toggle.addEventListener("click", () => {
      toggle.textContent = panel.classList.toggle("collapsed") ? "Show" : "Hide";
    });
    return panel;
  }

  function statusChip(state) {
    const text = { building: "Building the PDF…", built: "PDF up to date",
                   failing: "PDF not updated", overflowing: "PDF not updated: too long" }[state.status];
    return element("a", { id: "status", class: `chip ${state.status}`, href: state.pdf,
                          "data-status": state.status }, text);
  }

  // On the full brief's page: a link to each audience's version. On a version's page: whom
  // it is for, and its changes since the last commit (nothing of the full brief).
  function versionsNav(state) {
    if (state.audience) {
      return element("nav", { id: "version", class: "versions", "aria-label": "This version" },
                     `Version for ${state.name}`, element("a", { href: state.changes }, "changes since the last commit"));
    }
    const nav = element("nav", { id: "versions", class: "versions", "aria-label": "Versions of this brief" },
                        "Versions:");
    state.versions.forEach((version) => nav.append(element("a", { href: version.url, title: version.name },
                                                           version.audience)));
    return nav;
  }

  // The fill of page 1, region by region ("left column 6 mm to spare, right column 4 mm
  // over"), its reading load, the line where the printed page 1 ends, and an outline
  // around each region that runs past it.
  function fitGauge(fit) {
    const gauge = element("section", { id: "fit", class: "gauge" });
    if (fit.reading) gauge.append(element("strong", {}, fit.reading));
    fit.regions.forEach((region) => {
      const bar = element("span", { class: "bar" }, element("span", { style: `width: ${Math.min(100, region.fill * 100)}%` }));
      gauge.append(element("span", { class: `region${region.over ? " over" : ""}`, "data-region": region.region },
                           bar, region.text));
    });
    return gauge;
  }

  // The line where the printed page 1 ends: a labelled tick in the margin left of the sheet
  // (at most MARKER_PX wide, ending MARKER_GAP_PX before the sheet), never across the page
  // while there is a margin (under MARKER_MIN_PX of it, a narrow window, it runs across);
  // its dark red reads at 5.6:1 on the margin's grey (axe: 4.5:1 at least).
  const MARKER_PX = 120, MARKER_GAP_PX = 6, MARKER_MIN_PX = 60;
  function markPage(fit) {
    document.getElementById("briefgen-page-end")?.remove();
    document.querySelectorAll("[data-briefgen-over]").forEach((node) => {
      node.style.outline = ""; node.removeAttribute("data-briefgen-over");
    });
    const pageOne = document.querySelector(".page-one");
    if (!fit || !pageOne || !fit.available_px) return;
    const box = pageOne.getBoundingClientRect();
    const sheet = (pageOne.closest(".sheet") || pageOne).getBoundingClientRect();
    const margin = sheet.left - MARKER_GAP_PX;
    const width = margin >= MARKER_MIN_PX ? Math.min(MARKER_PX, margin) : sheet.width;
    const left = margin >= MARKER_MIN_PX ? sheet.left - MARKER_GAP_PX - width : sheet.left;
    const line = element("div", { id: "briefgen-page-end", "aria-hidden": "true", style:
      `position: absolute; box-sizing: border-box; left: ${left + window.scrollX}px; ` +
      `width: ${width}px; top: ${box.top + window.scrollY + fit.available_px}px; border-top: 2px dashed #a50d25; ` +
      "pointer-events: none; font: 11px/1.3 system-ui, sans-serif; color: #a50d25; text-align: right; " +
      "overflow: hidden; white-space: nowrap;" },
      "end of page 1 \u2192");
    document.body.append(line);
    fit.regions.filter((region) => region.over).forEach((region) => {
      const selector = region.region === "full" ? ".page-one" : `[data-region="${region.region}"]`;
      const node = document.querySelector(selector);
      if (node) { node.style.outline = "2px solid #c8102e"; node.setAttribute("data-briefgen-over", ""); }
    });
  }

  // The toolbar's height is kept free at the top of the page, so the sheet starts below it.
  function makeRoom(toolbar) {
    const height = toolbar.getBoundingClientRect().height;
    document.body.style.paddingTop = `${height}px`;
    root.host.style.setProperty("--toolbar", `${height}px`);
  }

  function render(state) {
    if (!root) {
      const host = element("briefgen-preview");
      root = host.attachShadow({ mode: "open" });
      document.body.append(host);
    }
    const toolbar = element("div", { id: "toolbar", class: "toolbar", role: "toolbar", "aria-label": "Preview" },
                            statusChip(state));
    if (state.fit) toolbar.append(fitGauge(state.fit));
    if (state.audience || state.versions.length) toolbar.append(versionsNav(state));
    root.replaceChildren(element("style", {}, STYLE), toolbar);
    shown = state;
    makeRoom(toolbar);
    markPage(state.fit);
    if (state.problems.length) root.append(problemsPanel(state));
  }

  async function refreshState() {
    const response = await fetch(stateUrl, { cache: "no-store" });
    if (!response.ok) {
      if (audience) reload();                  // the version is gone: the page says why
      return;
    }
    const state = await response.json();
    if (audience && state.html_version !== version) queueSwap();   // a version's page changed
    else render(state);
  }

  function listen() {
    // this page's events only: a brief's own, or its version's bare "changed" (the index: all)
    const scope = briefId ? `?brief=${encodeURIComponent(briefId)}` +
      (audience ? `&audience=${encodeURIComponent(audience)}` : "") : "";
    const events = new EventSource(`/_preview/events${scope}`);
    const data = (event) => JSON.parse(event.data);
    events.addEventListener("hello", (event) => {
      const hello = data(event);
      if (audience) {                                          // its own state says if it is stale
        if (hello.instance !== instance) reload(); else refreshState();
        return;
      }
      const stale = hello.instance !== instance ||
        (briefId ? hello.versions[briefId] !== version : hello.sequence !== version);
      if (stale && briefId && hello.instance === instance) queueSwap();
      else if (stale) reload();
      else if (briefId) refreshState();
    });
    ["reload", "state", "removed"].forEach((kind) => events.addEventListener(kind, (event) => {
      const change = data(event);
      if (!briefId) reload();                                  // the index shows every brief
      else if (change.brief !== briefId) return;
      else if (audience) refreshState();                       // the brief's version numbers are not its own
      else if (kind === "state" && change.html_version === version) refreshState();
      else if (kind === "removed") reload();
      else queueSwap();
    }));
  }

  window.addEventListener("resize", () => {
    if (!root || !shown) return;
    makeRoom(root.getElementById("toolbar"));
    markPage(shown.fit);
  });

  restoreScroll();
  if (briefId && stateNode) render(JSON.parse(stateNode.textContent));
  markUpdated();
  listen();
})();
