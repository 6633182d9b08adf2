// Click-to-first-frame benchmark (issue 6 §8): a shopper on the demo shop answers the four
// questions in the embedded widget and clicks "Find my size"; we time, inside the widget's
// page, from that click (its pointerdown event's timestamp) to the first presented frame
// showing their avatar (`data-avatar-frame-ms`, set by the view when that frame is drawn),
// and on to the first frame with the recommended size draped on it (and the first drape's
// own time, between the widget's `doppel:drape-start`/`-end` marks). Also reported: from the
// shop page's navigation start to the view's first frame (the placeholder figure), which is
// the cold load of loader, iframe, wasm and renderer.
//
// Every run is cold: a new browser context (empty HTTP cache and storage). Headless Debian
// Chromium with the e2e tests' flags (SwiftShader for WebGPU, the default GL for WebGL2).
//
// usage: node tests/bench/first-frame.mjs [--runs N] [--mode webgpu|webgl2] [--json]
// env:   DOPPEL_APP_URL, DOPPEL_SHOP_URL (as the e2e tests; `cargo xtask bench-web` sets them)
import { APP_URL, SHOP_URL, launch } from '../e2e/browser.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('--runs', '5'));
const MODES = process.argv.includes('--mode') ? [arg('--mode', 'webgl2')] : ['webgpu', 'webgl2'];
const JSON_OUT = process.argv.includes('--json');
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 100) {
  console.error('--runs must be a whole number 1–100');
  process.exit(2);
}

async function widgetFrame(page) {
  for (let i = 0; i < 600; i++) {
    const f = page.frames().find((fr) => fr.url().startsWith(`${APP_URL}/app/`));
    if (f) return f;
    await page.waitForTimeout(50);
  }
  throw new Error('the widget iframe never appeared');
}

const canvasAttr = (frame, name) => frame.evaluate(
  (n) => document.querySelector('canvas[data-doppel="view"]')?.getAttribute(n) ?? null, name);

async function once(browser, mode) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`${SHOP_URL}/shop/`);
    const frame = await widgetFrame(page);
    // The view's first frame (placeholder figure): the cold load.
    await frame.waitForFunction(
      () => document.querySelector('canvas[data-doppel="view"]')?.dataset.firstFrameMs,
      null, { timeout: 60_000, polling: 20 });
    const backend = await canvasAttr(frame, 'data-backend');
    if (backend !== mode) throw new Error(`expected the ${mode} path, the view runs ${backend}`);
    const pageOrigin = await page.evaluate(() => performance.timeOrigin);
    const frameOrigin = await frame.evaluate(() => performance.timeOrigin);
    const loadMs = frameOrigin + Number(await canvasAttr(frame, 'data-first-frame-ms')) - pageOrigin;

    await frame.locator('select[name="sex"]').selectOption('male');
    await frame.locator('input[name="age"]').fill('41');
    await frame.locator('input[name="height"]').fill('178');
    await frame.locator('input[name="weight"]').fill('82');
    // The click starts at its pointerdown; that also blurs the weight field, whose change
    // event may already start the avatar: the first of them counts.
    await frame.evaluate(() => {
      window.__t0 = null;
      for (const t of ['pointerdown', 'change', 'click']) {
        document.addEventListener(t, (e) => { window.__t0 ??= e.timeStamp; }, { capture: true });
      }
    });
    await frame.locator('[data-doppel="submit"]').click();
    await frame.waitForFunction(
      () => document.querySelector('canvas[data-doppel="view"]')?.dataset.avatarFrameMs,
      null, { timeout: 60_000, polling: 20 });
    const t0 = await frame.evaluate(() => window.__t0);
    const avatar = Number(await canvasAttr(frame, 'data-avatar-frame-ms'));
    // The draped recommended size: the viewer names it once shown, and the view stamps the
    // first frame with a garment set after the avatar.
    await frame.waitForFunction(() => {
      const c = document.querySelector('canvas[data-doppel="view"]');
      return document.querySelector('.doppel-viewer[data-garment]')
        && Number(c?.dataset.garmentFrameMs) >= Number(c?.dataset.avatarFrameMs);
    }, null, { timeout: 60_000, polling: 20 });
    const draped = Number(await canvasAttr(frame, 'data-garment-frame-ms'));
    // The first drape: the avatar's collider plus carrying and draping the size.
    const drapeMs = await frame.evaluate(() => {
      const [a] = performance.getEntriesByName('doppel:drape-start');
      const [b] = performance.getEntriesByName('doppel:drape-end');
      return a && b ? b.startTime - a.startTime : NaN;
    });
    return { loadMs, clickToAvatarMs: avatar - t0, clickToDrapedMs: draped - t0, drapeMs };
  } finally {
    await context.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

const report = {};
for (const mode of MODES) {
  const browser = await launch(mode);
  try {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(browser, mode));
    const stat = (k) => ({
      median: round(median(runs.map((r) => r[k]))),
      min: round(Math.min(...runs.map((r) => r[k]))),
      max: round(Math.max(...runs.map((r) => r[k]))),
    });
    report[mode] = {
      runs: RUNS,
      click_to_avatar_frame_ms: stat('clickToAvatarMs'),
      click_to_draped_frame_ms: stat('clickToDrapedMs'),
      navigation_to_first_frame_ms: stat('loadMs'),
      first_drape_ms: stat('drapeMs'),
    };
  } finally {
    await browser.close();
  }
}
if (JSON_OUT) {
  console.log(JSON.stringify(report, null, 2));
} else {
  for (const [mode, r] of Object.entries(report)) {
    const line = (name, s) => `  ${name.padEnd(34)} median ${s.median} ms (min ${s.min}, max ${s.max})`;
    console.log(`${mode} (${r.runs} cold runs):`);
    console.log(line('click → first avatar frame', r.click_to_avatar_frame_ms));
    console.log(line('click → draped garment frame', r.click_to_draped_frame_ms));
    console.log(line('shop navigation → first view frame', r.navigation_to_first_frame_ms));
    console.log(line('first drape (collider + dress_on)', r.first_drape_ms));
  }
}
