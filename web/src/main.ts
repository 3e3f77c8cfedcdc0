// The dashboard: sign-in with an API token, then hash-routed pages. Every
// number shown comes from the API (which cites its sources).

import "./style.css";
import { api, clearCache, setToken, setUnauthorizedHandler, token } from "./api";
import { clear, disposeCharts, h, message } from "./ui";
import { overviewPage } from "./pages/overview";
import { commodityPage } from "./pages/commodity";
import { supplyPage } from "./pages/supply";
import { stressPage } from "./pages/stress";
import { planPage } from "./pages/plan";
import { comparePage } from "./pages/compare";

const PAGES: { path: string; label: string; render: (root: HTMLElement, args: string[]) => Promise<void> }[] = [
  { path: "overview", label: "Overview", render: overviewPage },
  { path: "commodity", label: "Commodity", render: commodityPage },
  { path: "supply", label: "Supply chain", render: supplyPage },
  { path: "stress", label: "Stress", render: stressPage },
  { path: "plan", label: "Plan", render: planPage },
  { path: "compare", label: "Compare", render: comparePage },
];

const app = document.getElementById("app") as HTMLElement;
let me: { user: string; party: string } | null = null;

function signIn(error?: string): void {
  disposeCharts();
  clear(app);
  const input = h("input", { type: "password", name: "token", id: "token", autocomplete: "off", placeholder: "lst_...", required: true });
  const form = h(
    "form",
    { class: "signin", id: "signin" },
    h("h2", {}, "Lodestone"),
    h("p", {}, "Sign in with your API token (from ", h("code", {}, "lodestone admin user add"), "). It is kept for this tab only."),
    h("label", { for: "token" }, "API token"),
    input,
    error ? message("error", error) : null,
    h("button", { type: "submit" }, "Sign in"),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = input.value.trim();
    try {
      me = await api("/api/v1/me", {}, t);
      setToken(t);
      clearCache();
      if (!location.hash || location.hash === "#/") location.hash = "#/overview";
      route();
    } catch (e: any) {
      signIn(e.status === 401 ? "That token is not valid (or was revoked)." : `Cannot reach the server: ${e.message}`);
    }
  });
  app.append(form);
  input.focus();
}

function signOut(): void {
  // Nothing of this user's stays in the tab: token, remembered jobs.
  sessionStorage.clear();
  setToken(null);
  me = null;
  clearCache();
  // The next user starts on the overview.
  history.replaceState(null, "", location.pathname);
  signIn();
}

setUnauthorizedHandler(() => {
  setToken(null);
  me = null;
  signIn("Your session ended: the token is no longer valid.");
});

let routeSeq = 0;
async function route(): Promise<void> {
  if (!token()) return signIn();
  if (!me) {
    try {
      me = await api("/api/v1/me");
    } catch {
      return;
    }
  }
  const [path, ...args] = (location.hash.replace(/^#\/?/, "") || "overview").split("/").map(decodeURIComponent);
  const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
  const seq = ++routeSeq;
  disposeCharts();
  clear(app);
  const main = h("main", { id: "page", "data-page": page.path });
  app.append(
    h(
      "header",
      { class: "top" },
      h("h1", {}, "Lodestone"),
      h("nav", {}, ...PAGES.map((p) => h("a", { href: `#/${p.path}`, class: p === page ? "active" : "", "data-nav": p.path }, p.label))),
      h("span", { class: "who", id: "who" }, `${me!.user} · ${me!.party}`),
      h("button", { type: "button", class: "small", id: "signout", onclick: signOut }, "Sign out"),
    ),
    main,
  );
  document.title = `Lodestone · ${page.label}`;
  try {
    await page.render(main, args);
    if (seq === routeSeq) main.setAttribute("data-ready", "1");
  } catch (e: any) {
    if (seq === routeSeq) main.append(message("error", e.message ?? String(e), e.problems ?? []));
  }
}

window.addEventListener("hashchange", route);
route();
