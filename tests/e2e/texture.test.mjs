// The garment's own glTF look in the browser, on both GPU paths: the sample women's T-shirt
// carries a Breton-stripe PNG (base colour texture on TEXCOORD_0, base colour factor white).
// The browser decodes it (createImageBitmap; the wasm has no decoder) and the view shows
// navy stripes on the draped shirt. Without the texture the shirt would be plain white.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, launch, screenshotPixels } from './browser.mjs';

// Navy pixels, navy/light alternations and luminance edges down the canvas's middle.
async function stripes(page) {
  const { width, height, data: d } = await screenshotPixels(page, page.locator('canvas[data-doppel="view"]'));
  const c = { width, height };
  const navy = (i) => d[i + 2] > d[i] + 30 && d[i] < 110 && d[i + 1] < 120;
  let count = 0;
  for (let i = 0; i < d.length; i += 4) if (navy(i)) count += 1;
  // Along a few columns near the middle (the torso): navy/other alternations, and sharp
  // luminance edges (which stay when the cloth is see-through and no longer navy).
  const lum = (i) => 0.3 * d[i] + 0.59 * d[i + 1] + 0.11 * d[i + 2];
  let best = 0;
  let edges = 0;
  for (const fx of [0.46, 0.5, 0.54]) {
    const x = Math.floor(c.width * fx);
    let runs = 0;
    let prev = null;
    let e = 0;
    let last = -10;
    for (let y = 0; y < c.height; y += 1) {
      const i = (y * c.width + x) * 4;
      const now = navy(i);
      if (prev !== null && now !== prev) runs += 1;
      prev = now;
      if (y >= 2 && Math.abs(lum(i) - lum(i - 2 * c.width * 4)) > 20 && y - last > 3) {
        e += 1;
        last = y;
      }
    }
    best = Math.max(best, runs);
    edges = Math.max(edges, e);
  }
  return { count, alternations: best, edges, pixels: d.length / 4 };
}

for (const mode of ['webgpu', 'webgl2']) {
  test(`the garment's glTF texture is shown (${mode})`, async () => {
    const browser = await launch(mode);
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
      const problems = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' || m.text().includes('texture not shown')) {
          problems.push(`console: ${m.text()}`);
        }
      });
      await page.goto(`${APP_URL}/app/?product=tshirt-women&lang=en`);
      await page.waitForFunction(
        () => document.querySelector('canvas[data-doppel="view"]')?.dataset.backend, null,
        { timeout: 30_000 });
      await page.locator('select[name="sex"]').selectOption('female');
      await page.locator('input[name="age"]').fill('34');
      await page.locator('input[name="height"]').fill('166');
      await page.locator('input[name="weight"]').fill('60');
      await page.locator('[data-doppel="submit"]').click();
      const rec = page.locator('[data-doppel="recommendation"]');
      await rec.waitFor({ timeout: 60_000 });
      const size = await rec.getAttribute('data-size');
      await page.locator(`section.doppel-viewer[data-garment="${size}"]`).waitFor({ timeout: 60_000 });
      await page.locator('[data-doppel="draping"]').waitFor({ state: 'detached', timeout: 60_000 });
      await page.waitForFunction(() => {
        const c = document.querySelector('canvas[data-doppel="view"]').dataset;
        return Number(c.garmentFrameMs) >= Number(c.avatarFrameMs);
      }, null, { timeout: 30_000 });

      const s = await stripes(page);
      // The striped shirt covers the torso: thousands of navy pixels in several bands.
      assert.ok(s.count > 0.004 * s.pixels, `navy pixels: ${s.count} of ${s.pixels}`);
      assert.ok(s.alternations >= 10, `stripe edges down the torso: ${s.alternations}`);

      // The see-through toggle keeps the texture (a lower alpha, same look).
      await page.locator('[data-doppel="see-through"]').click();
      await page.waitForTimeout(300);
      const t = await stripes(page);
      assert.ok(t.edges >= 10, `stripe edges while see-through: ${t.edges}`);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });
}
