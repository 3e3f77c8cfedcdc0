// End-to-end test of the web dashboard in real headless Chromium, driven by
// crates/cli/tests/e2e_web.rs (which starts `lodestone serve` on a
// temporary database and passes its URL and a token):
//
//   LODESTONE_URL=http://127.0.0.1:PORT LODESTONE_TOKEN=lst_... \
//   LODESTONE_SHOTS=target/e2e node web/e2e/ui.mjs
//
// It signs in, opens every page, runs a stress job (and a Monte Carlo and a
// plan job) watching the progress bar reach 100%, and checks that what each
// page shows equals what the API returns for the same token (fetched here
// independently), and that charts hold series data (not just a canvas).
// A PNG screenshot of each page is written to LODESTONE_SHOTS every run.
// Exit status 0 only if every check passed.

import { launch } from "./browser.mjs";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const BASE = process.env.LODESTONE_URL;
const TOKEN = process.env.LODESTONE_TOKEN;
// A user of another party (optional): signs in after the first signs out and
// must see the first party's contribution only inside country totals.
const TOKEN_B = process.env.LODESTONE_TOKEN_B;
const SHOTS = process.env.LODESTONE_SHOTS || "target/e2e";
if (!BASE || !TOKEN) {
  console.error("set LODESTONE_URL and LODESTONE_TOKEN");
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });

let checks = 0;
function check(cond, what) {
  checks++;
  if (!cond) throw new Error(`check failed: ${what}`);
}
function eq(got, want, what) {
  checks++;
  if (got !== want) throw new Error(`check failed: ${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

async function api(path, init = {}, token = TOKEN) {
  const r = await fetch(BASE + path, { ...init, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...(init.headers || {}) } });
  const body = await r.json();
  if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(body)}`);
  return body;
}

// Independent formatting of the API's numbers, as the page must show them.
const pct = (x) => (100 * x).toFixed(1) + "%";
const whole = (x) => Math.round(x).toLocaleString("en-US");

const t0 = Date.now();
const { context, close, blocked } = await launch({ offline: true });
const page = await context.newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

async function shot(name) {
  await page.waitForTimeout(300); // let ECharts finish drawing
  // Usable on a laptop screen (1366 px wide): the page never scrolls sideways
  // (wide tables scroll inside their own box).
  const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  check(sw <= cw, `${name}: no horizontal scrolling at 1366 px (${sw} > ${cw})`);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
async function ready(pageName) {
  await page.waitForSelector(`main[data-page="${pageName}"][data-ready="1"]`, { timeout: 60000 });
}
const texts = (sel) => page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));
const charts = () => page.evaluate(() => window.__lodestone.charts());
const option = (id) => page.evaluate((i) => window.__lodestone.option(i), id);

try {
  // ---- The real UI is embedded (not the "not built" page).
  const index = await (await fetch(BASE + "/")).text();
  check(!index.includes("was not built"), "the binary embeds the built UI (web/dist), not the placeholder page");
  const js = index.match(/src="(\/assets\/[^"]+\.js)"/);
  check(js, "index.html references a hashed asset");
  const asset = await fetch(BASE + js[1]);
  eq(asset.headers.get("content-type"), "text/javascript; charset=utf-8", "asset content type");
  check(/immutable/.test(asset.headers.get("cache-control") || ""), "hashed assets are cached as immutable");
  const notFound = await fetch(BASE + "/api/v1/no-such-route");
  eq(notFound.status, 404, "unknown API path status");
  eq((await notFound.json()).error, "no such route", "unknown API paths stay JSON 404s");

  // ---- Sign-in: a wrong token is refused; the right one shows the API's user and party.
  await page.goto(BASE + "/");
  await page.waitForSelector("#signin");
  await page.fill("#token", "lst_wrong");
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("#signin .msg.error");
  await shot("signin");
  errors.length = 0; // the refused token's 401 is logged by the browser
  await page.fill("#token", TOKEN);
  await page.click("#signin button[type=submit]");
  await ready("overview");
  const me = await api("/api/v1/me");
  eq((await texts("#who"))[0], `${me.user} · ${me.party}`, "header shows /api/v1/me");
  eq(await page.evaluate(() => sessionStorage.getItem("lodestone.token")), TOKEN, "token kept in sessionStorage");

  // ---- Overview: every commodity-stage, numbers equal to /api/v1/overview.
  const ov = await api("/api/v1/overview");
  let rows = await page.$$("#overview-table tbody tr");
  eq(rows.length, ov.items.length, "overview rows = API items");
  for (const it of ov.items) {
    const key = `${it.commodity}/${it.stage}`;
    const cell = async (col) => (await page.textContent(`#overview-table tr[data-key="${key}"] td[data-col="${col}"]`)).trim();
    eq(await cell("hhi"), whole(it.hhi), `${key} HHI`);
    eq(await cell("topShare"), it.top1 ? pct(it.top1.share) : "0.0%", `${key} top share`);
    eq(await cell("top"), it.top1 ? it.top1.name : "", `${key} top producer`);
    const cls = await page.getAttribute(`#overview-table tr[data-key="${key}"] td[data-col="hhi"] span`, "class");
    eq(cls, `hhi ${it.hhi > 2500 ? "high" : it.hhi >= 1500 ? "moderate" : "unconcentrated"}`, `${key} HHI colour class`);
    for (const [g, s] of Object.entries(it.groups)) eq(await cell(`group:${g}`), pct(s), `${key} group ${g}`);
  }
  // Sorted by HHI, largest first; a click on the header reverses it.
  const byHhi = [...ov.items].sort((a, b) => b.hhi - a.hhi);
  eq(await page.getAttribute("#overview-table tbody tr:first-child", "data-key"), `${byHhi[0].commodity}/${byHhi[0].stage}`, "default sort: largest HHI first");
  await page.click('#overview-table th[data-col="hhi"]');
  eq(await page.getAttribute("#overview-table tbody tr:first-child", "data-key"), `${byHhi.at(-1).commodity}/${byHhi.at(-1).stage}`, "HHI ascending after a click");
  // Filter.
  await page.fill("#overview-filter", "nickel");
  const nickel = ov.items.filter((i) => `${i.commodity.replace(/_/g, " ")} ${i.commodity} ${i.stage} ${i.top1?.name ?? ""} ${i.top1?.country ?? ""}`.toLowerCase().includes("nickel"));
  rows = await page.$$("#overview-table tbody tr");
  eq(rows.length, nickel.length, "filter 'nickel' rows");
  check(nickel.length > 0, "some nickel commodity-stages");
  await page.fill("#overview-filter", "");
  await page.selectOption("#overview-hhi-filter", "2500");
  eq((await page.$$("#overview-table tbody tr")).length, ov.items.filter((i) => i.hhi > 2500).length, "HHI > 2,500 filter");
  await page.selectOption("#overview-hhi-filter", "0");
  const oc = (await charts())["overview-hhi"];
  check(oc && oc.series[0].type === "bar", "overview HHI chart exists");
  eq(oc.series[0].points, ov.items.length, "overview chart has one bar per commodity-stage");
  // Table view and CSV of the chart.
  await page.click('[data-toggle="overview-hhi"]');
  check(await page.isVisible('[data-panel="overview-hhi"] .table-view'), "table view shown");
  eq((await page.$$('[data-panel="overview-hhi"] .table-view tbody tr')).length, ov.items.length, "table view rows");
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click('[data-csv="overview-hhi"]')]);
  const csv = readFileSync(await dl.path(), "utf8").trim().split(/\r\n/);
  eq(csv.length, ov.items.length + 1, "CSV has a header and one line per commodity-stage");
  check(csv[0].startsWith("commodity,stage,year,unit,total,hhi"), "CSV header");
  const first = csv[1].split(",");
  const item = ov.items.find((i) => i.commodity === first[0] && i.stage === first[1]);
  eq(Number(first[5]), item.hhi, "CSV HHI is the API's number");
  await page.click('[data-toggle="overview-hhi"]');
  await shot("overview");

  // ---- Commodity: rare earths, mining.
  await page.click('a[data-nav="commodity"]');
  await page.goto(BASE + "/#/commodity/rare_earths/mining");
  await ready("commodity");
  const ex = await api("/api/v1/exposure?commodity=rare_earths/mining");
  const exo = await api("/api/v1/exposure?commodity=rare_earths/mining&by=owner");
  eq((await texts("#kpi-hhi b"))[0], whole(ex.hhi), "commodity KPI HHI");
  eq((await texts("#kpi-top b"))[0], `${ex.top1.name} ${pct(ex.top1.share)}`, "commodity KPI top producer");
  const prow = await page.$$eval("#producers-table tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  eq(prow.length, ex.producers.length, "producers table rows");
  prow.forEach((r, i) => eq(r[3], pct(ex.producers[i].share), `producer ${ex.producers[i].country} share`));
  let cs = await charts();
  const mapOpt = await option("map-production");
  // (ECharts lists every region of the map; those without a value have no data.)
  const mapData = mapOpt.series[0].data.filter((d) => d.value !== undefined && d.value !== null);
  check(mapData.length >= ex.producers.length - 2 && mapData.length > 0, "production map has the producers");
  const unknown = mapData.filter((d) => !ex.producers.some((p) => p.country === d.name));
  check(unknown.length === 0, `map regions are producers: ${JSON.stringify(unknown.slice(0, 3))}`);
  for (const d of mapData) eq(d.value, ex.producers.find((p) => p.country === d.name).quantity, `map value ${d.name}`);
  const res = await api("/api/v1/reserves?commodity=rare_earths/mining");
  check(cs["map-reserves"] && cs["map-reserves"].series[0].points > 0, "reserves map has data");
  const resOpt = await option("map-reserves");
  for (const d of resOpt.series[0].data.filter((d) => d.value != null)) eq(d.value, res.countries.find((c) => c.country === d.name).quantity, `reserves map value ${d.name}`);
  const lvo = await option("location-vs-owner");
  eq(lvo.series.length, 2, "location vs owner: two series");
  const cats = lvo.yAxis[0].data;
  cats.forEach((name, i) => {
    const l = ex.producers.find((p) => p.name === name);
    const o = exo.producers.find((p) => p.name === name);
    eq(lvo.series[0].data[i], l ? l.share : 0, `by location ${name}`);
    eq(lvo.series[1].data[i], o ? o.share : 0, `by owner ${name}`);
  });
  const stagesShown = Object.keys(cs).filter((k) => k.startsWith("stage-"));
  check(stagesShown.length >= 1, "at least one stage chart");
  await shot("commodity");
  // A commodity with two stages: mining and refining side by side.
  const comms = await api("/api/v1/commodities");
  const stagesOf = (c) => comms.commodities.filter((x) => x.commodity === c && x.production_rows > 0).map((x) => x.stage);
  const two = ["copper", "nickel", ...comms.commodities.map((c) => c.commodity)].find((c) => stagesOf(c).length >= 2);
  check(two, "a commodity with production at two stages");
  await page.goto(BASE + `/#/commodity/${two}`);
  await ready("commodity");
  cs = await charts();
  eq(Object.keys(cs).filter((k) => k.startsWith("stage-")).sort().join(","), stagesOf(two).map((s) => `stage-${s}`).sort().join(","), `${two}: one chart per stage (side by side)`);
  for (const st of stagesOf(two)) {
    const e = await api(`/api/v1/exposure?commodity=${two}/${st}`);
    const o = await option(`stage-${st}`);
    eq(JSON.stringify(o.series[0].data), JSON.stringify(e.producers.slice(0, 10).map((p) => p.share)), `${two}/${st} shares`);
  }
  await shot("commodity-two-stages");

  // ---- Supply chain: the US's graphite.
  await page.goto(BASE + "/#/supply/US/graphite%2Fmining/graphite%2Fmining");
  await ready("supply");
  const og = await api("/api/v1/origin?country=US&commodity=graphite/mining&upstream=graphite/mining");
  const orow = await page.$$eval("#origin-table tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  eq(orow.length, og.shares.length, "origin rows");
  orow.forEach((r, i) => eq(r[1], pct(og.shares[i].share), `origin share ${og.shares[i].country}`));
  const sk = await option("supply-sankey");
  const links = sk.series[0].links;
  const fromOrigins = links.filter((l) => l.source.endsWith("(origin)")).reduce((s, l) => s + l.value, 0);
  check(Math.abs(fromOrigins - og.supply) <= 1e-9 * Math.max(1, og.supply), `Sankey origin flows sum to the supply (${fromOrigins} vs ${og.supply})`);
  const intoConsumer = links.filter((l) => l.target === "US (consumer)").reduce((s, l) => s + l.value, 0);
  const direct = og.direct.reduce((s, d) => s + d.quantity, 0);
  check(Math.abs(intoConsumer - direct) <= 1e-9 * Math.max(1, direct), "Sankey flows into the consumer = the direct mix");
  await shot("supply");
  // No recipe path in the data: the page shows the API's own message.
  await page.goto(BASE + "/#/supply/JP/rare_earth_compounds%2Frefining/rare_earths%2Fmining");
  await ready("supply");
  const noPath = await fetch(BASE + "/api/v1/origin?country=JP&commodity=rare_earth_compounds/refining&upstream=rare_earths/mining", { headers: { Authorization: `Bearer ${TOKEN}` } });
  eq(noPath.status, 404, "no path: 404");
  eq((await texts("#page .msg.error"))[0], (await noPath.json()).error, "the page shows the API's error");
  errors.length = 0; // (the browser logs the 404)

  // ---- Stress: a single run; watch the progress bar reach 100%.
  await page.goto(BASE + "/#/stress");
  await ready("stress");
  await page.selectOption("#stress-example", "rare-earth-export-ban");
  await page.click("#stress-run");
  const seen = [];
  for (;;) {
    const [v, status] = await page.$eval("#stress-progress", (e) => [Number(e.getAttribute("aria-valuenow")), e.getAttribute("data-status")]);
    seen.push(v);
    if (status === "done" || status === "failed" || status === "cancelled") {
      eq(status, "done", "stress job status");
      break;
    }
    await page.waitForTimeout(50);
  }
  eq(seen.at(-1), 100, "stress progress bar reaches 100%");
  check(seen.every((v, i) => i === 0 || v >= seen[i - 1]), "progress never goes back");
  const jobs = await page.evaluate(() => JSON.parse(sessionStorage.getItem("lodestone.jobs")));
  const stressId = jobs[0].id;
  const sj = await api(`/api/v1/jobs/${stressId}`);
  eq(sj.status, "done", "API says the job is done");
  await page.waitForSelector("#stress-summary tbody tr");
  const sumRows = await page.$$eval("#stress-summary tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  const byKey = {};
  for (const n of sj.result.result.nodes) {
    const k = `${n.key.commodity}/${n.key.stage}`;
    byKey[k] = (byKey[k] ?? 0) + n.cumulative_shortfall;
  }
  eq(sumRows.length, Object.keys(byKey).length, "one summary row per commodity-stage");
  await page.waitForFunction(() => window.__lodestone.charts()["stress-shortfall"]);
  const sfo = await option("stress-shortfall");
  const key0 = await page.$eval("#series-key", (s) => s.value);
  const series = await api(`/api/v1/jobs/${stressId}/series?commodity=${key0}`);
  check(sfo.series.length > 0 && sfo.series[0].data.length === series.periods, "shortfall chart: one point per period");
  const c0 = series.countries.find((c) => c.country === sfo.series[0].name);
  check(JSON.stringify(sfo.series[0].data) === JSON.stringify(c0.shortfall), "shortfall chart data = the API's series");
  const node0 = sj.result.result.nodes.find((n) => n.country === c0.country && `${n.key.commodity}/${n.key.stage}` === key0);
  const sum0 = c0.shortfall.reduce((a, b) => a + b, 0);
  check(Math.abs(sum0 - node0.cumulative_shortfall) <= 1e-9 * Math.max(1, node0.cumulative_shortfall), "series sums to the job's cumulative shortfall");
  check((await option("stress-stock")).series[0].data.length === series.periods, "stock chart has every period");
  // TTS against TTR.
  await page.waitForFunction(() => window.__lodestone.charts()["tts-chart"], null, { timeout: 120000 });
  const tts = await api("/api/v1/tts?commodity=rare_earths&headroom=0.1&stock_months=3");
  const to = await option("tts-chart");
  eq(to.series[0].data.length, Math.min(25, tts.nodes.length), "TTS bars");
  to.series[0].data.forEach((d, i) => eq(d.value, tts.nodes[i].tts, `TTS ${tts.nodes[i].country}`));
  to.series[1].data.forEach((d, i) => eq(d, tts.nodes[i].ttr, `TTR ${tts.nodes[i].country}`));
  // Another time to recover: the TTR marks and the hot spots follow the API.
  await page.fill("#tts-ttr", "6");
  await page.click("#tts-solve");
  await page.waitForFunction(() => window.__lodestone.option("tts-chart")?.series?.[1]?.data?.[0] === 6, null, { timeout: 120000 });
  const tts6 = await api("/api/v1/tts?commodity=rare_earths&ttr=6&headroom=0.1&stock_months=3");
  const to6 = await option("tts-chart");
  to6.series[1].data.forEach((d, i) => eq(d, 6, `TTR 6 for ${tts6.nodes[i].country}`));
  to6.series[0].data.forEach((d, i) => eq(d.itemStyle.color, tts6.nodes[i].hot_spot ? "#D55E00" : "#0072B2", `hot spot colour ${tts6.nodes[i].country}`));
  await page.fill("#tts-ttr", "12");
  await page.click("#tts-solve");
  await page.waitForFunction(() => window.__lodestone.option("tts-chart")?.series?.[1]?.data?.[0] === 12, null, { timeout: 120000 });
  await shot("stress");

  // ---- Monte Carlo: an edited example (fewer runs), histogram with p95 and CVaR.
  await page.selectOption("#stress-example", "monte-carlo-critical-minerals");
  await page.click('main[data-page="stress"] details summary');
  const text = await page.inputValue("#stress-toml");
  await page.fill("#stress-toml", text.replace(/runs = \d+/, "runs = 1500"));
  await page.click("#stress-run");
  await page.waitForSelector('#stress-progress[data-status="done"]', { timeout: 300000 });
  eq(await page.getAttribute("#stress-progress", "aria-valuenow"), "100", "Monte Carlo progress reaches 100%");
  const mcId = (await page.evaluate(() => JSON.parse(sessionStorage.getItem("lodestone.jobs"))))[0].id;
  const mj = await api(`/api/v1/jobs/${mcId}`);
  eq(mj.result.monte_carlo.runs_done, 1500, "the edited run count was used");
  eq((await page.$$("#mc-world tbody tr")).length, mj.result.monte_carlo.commodities.length, "one row per commodity-stage");
  await page.waitForFunction(() => window.__lodestone.charts()["mc-hist"], null, { timeout: 300000 });
  const ho = await option("mc-hist");
  const counts = ho.series[0].data;
  eq(counts.reduce((a, b) => a + b, 0), 1500, "histogram counts every run");
  const mlines = ho.series[0].markLine.data.map((d) => d.name);
  check(mlines.includes("p95") && mlines.includes("CVaR95"), "p95 and CVaR marked");
  const hkey = await page.$eval("#histogram-key", (s) => s.value);
  const dist = await api(`/api/v1/jobs/${mcId}/distribution?commodity=${hkey}&bins=30`);
  const w = mj.result.monte_carlo.commodities.find((c) => `${c.key.commodity}/${c.key.stage}` === hkey);
  check(Math.abs(dist.mean - w.mean) <= 1e-9 * Math.max(1, w.mean), "re-run mean = the job's mean (same runs)");
  eq(dist.max, w.max, "re-run max = the job's max");
  await shot("stress-monte-carlo");

  // Cancel: a long Monte Carlo run stopped from the page.
  await page.fill("#stress-toml", text.replace(/runs = \d+/, "runs = 5000000"));
  await page.click("#stress-run");
  await page.waitForSelector('#stress-progress[data-status="running"]', { timeout: 120000 });
  await page.click("#stress-cancel");
  await page.waitForSelector('#stress-progress[data-status="cancelled"]', { timeout: 120000 });
  const cancelledId = (await page.evaluate(() => JSON.parse(sessionStorage.getItem("lodestone.jobs"))))[0].id;
  eq((await api(`/api/v1/jobs/${cancelledId}`)).status, "cancelled", "the API says the job was cancelled");
  await page.waitForSelector("#stress-status .msg.error", { timeout: 30000 });
  check((await texts("#stress-status .msg.error"))[0].startsWith("Job cancelled"), "the page says the job was cancelled");

  // ---- Plan.
  await page.goto(BASE + "/#/plan");
  await ready("plan");
  const plans = await api("/api/v1/examples/plans");
  const runnable = plans.examples.filter((e) => !e.problem);
  check(runnable.length > 0, "an example plan the server accepts");
  await page.selectOption("#plan-example", runnable[0].name);
  await page.click("#plan-run");
  await page.waitForSelector('#plan-progress[data-status="done"]', { timeout: 300000 });
  eq(await page.getAttribute("#plan-progress", "aria-valuenow"), "100", "plan progress reaches 100%");
  const planId = (await page.evaluate(() => JSON.parse(sessionStorage.getItem("lodestone.jobs"))))[0].id;
  const pj = await api(`/api/v1/jobs/${planId}`);
  await page.waitForFunction(() => window.__lodestone.charts()["plan-sweep"], null, { timeout: 300000 });
  eq((await page.$$("#builds-table tbody tr")).length, pj.result.builds.length, "builds table rows");
  eq((await texts("#plan-builds"))[0], String(pj.result.builds.length), "builds count");
  const tl = await option("plan-timeline");
  check(tl.series[0].data.length >= pj.result.builds.length, "timeline has a bar per build phase");
  const co = await option("plan-cost");
  eq(co.series[1].data[0], pj.result.parts.capex / 1e6, "cost chart: the plan's capex");
  const ctx = await api(`/api/v1/jobs/${planId}/plan-context`);
  eq(co.series[0].data[0], ctx.without_builds.parts.capex / 1e6, "cost chart: capex without new builds");
  eq(ctx.without_builds.builds.length, 0, "the 'before' builds nothing");
  eq((await option("plan-sweep")).series[0].data.length, 10, "sweep: 10 points");
  const po = await option("plan-origins");
  check(po.series[1].data.length > 0, "supply by origin chart has data");
  await shot("plan");
  // A second plan: the same with 10-year permitting everywhere (for Compare).
  await page.click('main[data-page="plan"] details summary');
  const planText = await page.inputValue("#plan-toml");
  check(/permitting_years = \d+/.test(planText), "the plan sets permitting_years");
  await page.fill("#plan-toml", planText.replace(/permitting_years = \d+/g, "permitting_years = 10"));
  await page.click("#plan-run");
  await page.waitForSelector('#plan-progress[data-status="done"]', { timeout: 300000 });
  const plan2Id = (await page.evaluate(() => JSON.parse(sessionStorage.getItem("lodestone.jobs"))))[0].id;
  check(plan2Id !== planId, "a second plan job");
  const pj2 = await api(`/api/v1/jobs/${plan2Id}`);

  // ---- Compare: the two plans side by side (from the server's job list);
  // and two dataset versions.
  const tiny = (q) => ({
    files: {
      "dataset.toml": 'name = "tiny"\ntitle = "tiny"\nstages = ["mining"]\n',
      "sources.csv": "id,title,publisher,year,url,license,note\nsrc,Test,tests,,,,\n",
      "countries.csv": "code,name,iso3,source\nJP,Japan,,src\n",
      "commodities.csv": "commodity,stage,name,unit,basis,hs_codes,material,source,note\nx,mining,X,t,,,,src,\n",
      "production.csv": `commodity,stage,country,producer,year,quantity,unit,estimated,source,note\nx,mining,JP,,2024,${q},t,,src,\n`,
    },
  });
  await api("/api/v1/datasets/e2e-tiny", { method: "POST", body: JSON.stringify(tiny(5)) });
  await api("/api/v1/datasets/e2e-tiny", { method: "POST", body: JSON.stringify(tiny(6)) });
  await page.goto(BASE + `/#/compare/${planId}/${plan2Id}`);
  await ready("compare");
  const listed = await page.$$eval("#compare-a option", (os) => os.map((o) => o.value));
  const serverJobs = await api("/api/v1/jobs?limit=100");
  eq(listed.length, serverJobs.jobs.filter((j) => j.status === "done").length, "compare lists the party's finished jobs");
  const crow = await page.$$eval("#compare-table tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  const objRow = crow.find((r) => r[0] === "objective");
  check(objRow, "compare shows the plans' objectives");
  eq(objRow[1], whole(pj.result.objective), "compare A objective");
  eq(objRow[2], whole(pj2.result.objective), "compare B objective");
  eq(objRow[3], whole(pj2.result.objective - pj.result.objective), "compare B - A");
  check(pj2.result.objective >= pj.result.objective * (1 - 1e-9), "10-year permitting never costs less");
  const capexRow = crow.find((r) => r[0] === "cost capex");
  eq(capexRow[2], whole(pj2.result.parts.capex), "compare B capex");
  // Open A's results again from Compare.
  await page.click(`a[data-open="${planId}"]`);
  await ready("plan");
  await page.waitForSelector("#plan-builds");
  eq((await texts("#plan-builds"))[0], String(pj.result.builds.length), "reopened plan: builds");
  await page.goto(BASE + `/#/compare/${planId}/${plan2Id}`);
  await ready("compare");
  await page.selectOption("#diff-name", "e2e-tiny");
  const vers = (await api("/api/v1/datasets/e2e-tiny/versions")).versions.map((v) => v.version);
  eq([await page.inputValue("#diff-from"), await page.inputValue("#diff-to")].join(" "), vers.slice(-2).join(" "), "the last two versions preselected");
  await page.click("#diff-run");
  await page.waitForSelector("#diff-out h4");
  eq((await texts("#diff-out h4"))[0], "production.csv: 1 removed, 1 added", "dataset diff shown");
  await shot("compare");

  // ---- The joint workspace: this party contributes a confidential plant.
  const niMining = await api("/api/v1/exposure?commodity=nickel/mining");
  const secret = 777;
  const contrib = tiny(5);
  contrib.files["commodities.csv"] = "commodity,stage,name,unit,basis,hs_codes,material,source,note\nnickel,mining,Nickel,t,nickel content,,,src,\n";
  contrib.files["production.csv"] = `commodity,stage,country,producer,year,quantity,unit,estimated,source,note\nnickel,mining,JP,Secret Plant A,${niMining.year},${secret},t,,src,\n`;
  contrib.contribute = true;
  await api("/api/v1/datasets/e2e-contrib", { method: "POST", body: JSON.stringify(contrib) });
  const wsA = await api(`/api/v1/workspace/production?commodity=nickel/mining&year=${niMining.year}`);
  const jpPublic = niMining.producers.find((p) => p.country === "JP")?.quantity ?? 0;
  const jpA = wsA.countries.find((c) => c.country === "JP").quantity;
  check(Math.abs(jpA - (jpPublic + secret)) <= 1e-9 * jpA, "the API adds the contribution to JP's total");
  await page.goto(BASE + "/#/commodity/nickel/mining");
  await ready("commodity");
  const ownRows = await page.$$eval("#workspace-own tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  eq(ownRows.length, 1, "own contributed row shown");
  eq(ownRows[0][1], "Secret Plant A", "own row: producer");
  const wsRowA = await page.$$eval("#workspace-countries tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  const jpRowA = wsRowA.find((r) => r[0] === "JP");
  eq(jpRowA[2], whole(jpA), "workspace JP total (own party)");
  eq(jpRowA[3], whole(secret), "contributed quantity");
  await shot("workspace-own-party");

  // Sign out; the token is gone from the tab.
  await page.click("#signout");
  await page.waitForSelector("#signin");
  eq(await page.evaluate(() => sessionStorage.getItem("lodestone.token")), null, "signed out: token removed");
  if (TOKEN_B) {
    await page.fill("#token", TOKEN_B);
    await page.click("#signin button[type=submit]");
    await ready("overview");
    const meB = await api("/api/v1/me", {}, TOKEN_B);
    check(meB.party !== me.party, "the second user is in another party");
    eq((await texts("#who"))[0], `${meB.user} · ${meB.party}`, "header shows the second user");
    await page.goto(BASE + "/#/commodity/nickel/mining");
    await ready("commodity");
    const wsB = await api(`/api/v1/workspace/production?commodity=nickel/mining&year=${niMining.year}`, {}, TOKEN_B);
    const jpB = wsB.countries.find((c) => c.country === "JP").quantity;
    eq(jpB, jpA, "the other party's JP total includes the contribution");
    const wsRowB = await page.$$eval("#workspace-countries tbody tr", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
    eq(wsRowB.find((r) => r[0] === "JP")[2], whole(jpB), "workspace JP total (other party)");
    eq(await page.$("#workspace-own"), null, "no contributed rows listed for the other party");
    const body = await page.textContent("body");
    check(!body.includes("Secret Plant A"), "the other party never sees the plant's name");
    check(!JSON.stringify(wsB).includes("Secret Plant A"), "nor does its API response");
    await shot("workspace-other-party");
    // The other party sees none of the first party's jobs.
    await page.goto(BASE + "/#/compare");
    await ready("compare");
    eq((await page.$$("#compare-a option")).length, 0, "no jobs of another party listed");
    eq((await api("/api/v1/jobs", {}, TOKEN_B)).jobs.length, 0, "the API lists none either");
    const foreign = await fetch(`${BASE}/api/v1/jobs/${planId}/plan-context`, { headers: { Authorization: `Bearer ${TOKEN_B}` } });
    eq(foreign.status, 404, "another party's job view is 404");
    // Nor can the page open the other party's job by its id.
    await page.goto(BASE + `/#/stress/job/${stressId}`);
    await page.waitForSelector("#page .msg.error");
    const missing = await (await fetch(`${BASE}/api/v1/jobs/${stressId}`, { headers: { Authorization: `Bearer ${TOKEN_B}` } })).json();
    eq((await texts("#page .msg.error"))[0], missing.error, "the page shows the API's 404 for another party's job");
    eq(await page.$("#stress-summary"), null, "no results of another party's job");
    errors.length = 0; // (the browser logs that 404)
  }

  check(blocked.length === 0, `nothing fetched from the network (blocked: ${blocked.join(", ")})`);
  check(errors.length === 0, `no page errors (${errors.join(" | ")})`);
  console.log(`e2e: ${checks} checks passed in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${SHOTS}`);
  await close();
} catch (e) {
  await page.screenshot({ path: join(SHOTS, "failure.png"), fullPage: true }).catch(() => {});
  console.error(String(e.stack || e));
  if (errors.length) console.error("page errors:", errors.join("\n"));
  await close();
  process.exit(1);
}
