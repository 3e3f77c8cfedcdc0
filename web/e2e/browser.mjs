// Launches the system's headless Chromium (Debian's /usr/bin/chromium)
// through playwright-core, with the flags a closed network needs: without
// them Chromium hangs trying to reach Google's services. Reusable for pages
// served over http and for file:// pages (a report opened with the network
// off): pass { offline: true } to also block every non-file, non-loopback
// request at the context level.
//
//   import { launch } from "./browser.mjs";
//   const { browser, context, close } = await launch({ offline: true });
//   const page = await context.newPage();
//   await page.goto("file:///tmp/report.html");
//   ...
//   await close();

import { chromium } from "playwright-core";
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.LODESTONE_CHROMIUM || "/usr/bin/chromium";

export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * @param {{ offline?: boolean, viewport?: {width:number,height:number}, timeoutMs?: number }} [opts]
 * offline: refuse every request that is not file:, data:, blob: or to
 * 127.0.0.1/localhost (the page must need nothing else).
 * Returns { browser, context, close, blocked } where `blocked` lists the
 * refused URLs.
 */
export async function launch(opts = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (scripts/test does) or set LODESTONE_CHROMIUM`);
  }
  // Playwright gives every launch a fresh temporary profile
  // (--user-data-dir) of its own and deletes it on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    timeout: opts.timeoutMs ?? 60000,
  });
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1366, height: 900 },
    acceptDownloads: true,
  });
  const blocked = [];
  if (opts.offline) {
    await context.route("**/*", (route) => {
      const u = new URL(route.request().url());
      const local = ["file:", "data:", "blob:"].includes(u.protocol) || ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
      if (local) return route.continue();
      blocked.push(u.href);
      return route.abort("internetdisconnected");
    });
  }
  const close = async () => {
    await browser.close().catch(() => {});
  };
  return { browser, context, close, blocked };
}
