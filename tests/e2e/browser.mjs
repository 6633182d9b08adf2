// Shared helpers for the end-to-end tests: Debian's Chromium through playwright-core
// (never a downloaded browser), in the three GPU configurations we support.
import { chromium } from 'playwright-core';

export const APP_URL = process.env.DOPPEL_APP_URL ?? 'http://127.0.0.1:8080';
export const SHOP_URL = process.env.DOPPEL_SHOP_URL ?? 'http://localhost:8081';
const EXECUTABLE = process.env.CHROMIUM ?? '/usr/bin/chromium';

const QUIET = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage',
];

/** GPU configurations: name → extra flags and the backend the loader must pick. */
export const MODES = {
  webgpu: {
    args: ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
      '--use-webgpu-adapter=swiftshader', '--use-angle=swiftshader'],
    backend: 'webgpu',
  },
  webgl2: { args: [], backend: 'webgl2' },
  none: { args: ['--disable-3d-apis', '--disable-gpu'], backend: null },
};

export async function launch(mode) {
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: [...QUIET, ...MODES[mode].args],
  });
}

/** Opens a page and collects console errors and uncaught exceptions. */
export async function open(browser, url) {
  const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}

/**
 * The RGBA pixels of a screenshot of `locator` (or of its `half`, 'left' or 'right'),
 * decoded by the page itself (no PNG library here): `{ width, height, data }`.
 */
export async function screenshotPixels(page, locator, half = null) {
  let png;
  if (half) {
    // One half of the element (`left` or `right`), as the split view draws them.
    await locator.scrollIntoViewIfNeeded();
    const box = await locator.boundingBox();
    const w = Math.floor(box.width / 2);
    png = await page.screenshot({
      clip: { x: box.x + (half === 'right' ? box.width - w : 0), y: box.y, width: w, height: box.height },
    });
  } else {
    png = await locator.screenshot();
  }
  const { width, height, b64 } = await page.evaluate(async (src) => {
    const img = new Image();
    img.src = `data:image/png;base64,${src}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let bin = '';
    for (let i = 0; i < d.length; i += 0x8000) {
      bin += String.fromCharCode(...d.subarray(i, i + 0x8000));
    }
    return { width: c.width, height: c.height, b64: btoa(bin) };
  }, png.toString('base64'));
  return { width, height, data: new Uint8Array(Buffer.from(b64, 'base64')) };
}

/**
 * Statistics of a screenshot of `locator` (or of its `half`): the share of pixels that
 * differ from the most common colour and the colour count.
 */
export async function pixelStats(page, locator, half = null) {
  const { width, height, data: d } = await screenshotPixels(page, locator, half);
  const counts = new Map();
  for (let i = 0; i < d.length; i += 4) {
    const key = (d[i] >> 3) << 10 | (d[i + 1] >> 3) << 5 | (d[i + 2] >> 3);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const n = d.length / 4;
  let top = 0;
  for (const v of counts.values()) top = Math.max(top, v);
  return { width, height, nonBackground: 1 - top / n, colours: counts.size };
}
