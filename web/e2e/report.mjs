// Opens a `lodestone report` HTML file in headless Chromium with the
// network OFF and checks that it is self-contained and that its charts
// render: every chart has a laid-out box, every bar's drawn width is
// proportional to its data-value, the HHI bars equal the HHI column of the
// table beside them, and no request leaves the file. Saves a screenshot.
//
// Usage: node web/e2e/report.mjs REPORT.html SCREENSHOT.png
// Prints one JSON line with what it checked; exits non-zero on a failure.

import { launch } from './browser.mjs';
import { pathToFileURL } from 'node:url';

const [file, shot] = process.argv.slice(2);
if (!file || !shot) {
  console.error('usage: node report.mjs REPORT.html SCREENSHOT.png');
  process.exit(2);
}

const fail = (m) => {
  console.error(`report check failed: ${m}`);
  process.exitCode = 1;
};

const { context, close } = await launch({ offline: true, viewport: { width: 1280, height: 900 } });
try {
  // Network off: Chromium itself is offline, and any request that is not
  // the file itself (or a data: link) is recorded and refused, loopback too.
  await context.setOffline(true);
  const outside = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith('file:') || u.startsWith('data:')) return route.continue();
    outside.push(u);
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

  const facts = await page.evaluate(() => {
    const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
      const box = svg.getBoundingClientRect();
      const bars = [...svg.querySelectorAll('rect.bar')].map((r) => ({
        value: parseFloat(r.dataset.value),
        width: r.getBBox().width,
      }));
      const lines = [...svg.querySelectorAll('polyline.series')].map((p) => ({
        points: p.points.numberOfItems,
        values: p.dataset.values.split(',').length,
        length: p.getTotalLength(),
      }));
      return { id: svg.id, w: box.width, h: box.height, bars, lines };
    });
    const hhiBars = [...document.querySelectorAll('#chart-hhi rect.bar')].map((r) => parseFloat(r.dataset.value));
    const head = [...document.querySelectorAll('#table-hhi thead th')].map((th) => th.textContent);
    const col = head.indexOf('HHI');
    const hhiTable = [...document.querySelectorAll('#table-hhi tbody tr')].map((tr) => parseFloat(tr.children[col].dataset.value));
    const csvLinks = [...document.querySelectorAll('a.csv')].filter((a) => a.href.startsWith('data:text/csv')).length;
    const tables = document.querySelectorAll('table.data').length;
    return { charts, hhiBars, hhiTable, csvLinks, tables, title: document.title };
  });

  if (facts.charts.length === 0) fail('no charts');
  for (const c of facts.charts) {
    if (!(c.w > 100 && c.h > 20)) fail(`chart ${c.id} is not laid out (${c.w}x${c.h})`);
    if (c.bars.length === 0 && c.lines.length === 0 && !c.id.startsWith('chart-plan-builds')) fail(`chart ${c.id} draws no data`);
    // Drawn width is proportional to the value: one px-per-unit for every bar.
    const pos = c.bars.filter((b) => b.value > 0);
    const k = pos.length ? pos[0].width / pos[0].value : 0;
    for (const b of c.bars) {
      const want = b.value > 0 ? b.value * k : 0;
      if (Math.abs(b.width - want) > 0.05) fail(`chart ${c.id}: bar of ${b.value} is ${b.width} px, expected ${want}`);
    }
    if (pos.length && !(Math.max(...pos.map((b) => b.width)) > 50)) fail(`chart ${c.id}: bars too short to see`);
    for (const l of c.lines) {
      if (l.points !== l.values) fail(`chart ${c.id}: ${l.points} points for ${l.values} values`);
      if (!(l.length > 0)) fail(`chart ${c.id}: a line of length 0`);
    }
  }
  if (facts.hhiBars.length === 0 || JSON.stringify(facts.hhiBars) !== JSON.stringify(facts.hhiTable)) {
    fail(`HHI bars ${JSON.stringify(facts.hhiBars)} != table ${JSON.stringify(facts.hhiTable)}`);
  }
  if (facts.csvLinks !== facts.tables) fail(`${facts.tables} tables but ${facts.csvLinks} CSV links`);
  if (outside.length) fail(`the report asked the network for ${outside.join(', ')}`);
  if (errors.length) fail(errors.join('; '));
  await page.screenshot({ path: shot, fullPage: true });
  console.log(JSON.stringify({ charts: facts.charts.length, bars: facts.charts.reduce((n, c) => n + c.bars.length, 0), lines: facts.charts.reduce((n, c) => n + c.lines.length, 0), tables: facts.tables, outside: outside.length }));
} finally {
  await close();
}
