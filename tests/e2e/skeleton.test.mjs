// Walking skeleton: the app picks the right wasm flavour, draws a lit figure, and says so
// clearly when no 3D API exists at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, launch, open, pixelStats } from './browser.mjs';

for (const mode of ['webgpu', 'webgl2']) {
  test(`app renders the scene on ${mode}`, async () => {
    const browser = await launch(mode);
    try {
      const { page, problems } = await open(browser, `${APP_URL}/app/`);
      const canvas = page.locator('canvas[data-doppel="view"]');
      await canvas.waitFor({ timeout: 30_000 });
      await page.waitForFunction(
        () => Number(document.querySelector('canvas[data-doppel="view"]')?.dataset.frames ?? 0) >= 1,
        null, { timeout: 30_000 });
      assert.equal(await canvas.getAttribute('data-backend'), mode);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.flavour), mode);
      const stats = await pixelStats(page, canvas);
      assert.ok(stats.width > 100 && stats.height > 100, `canvas too small: ${JSON.stringify(stats)}`);
      // The figure and floor shading cover a real part of the view, in many shades.
      assert.ok(stats.nonBackground > 0.05, `canvas looks blank: ${JSON.stringify(stats)}`);
      assert.ok(stats.colours > 20, `canvas looks flat: ${JSON.stringify(stats)}`);

      // Orbiting by keyboard redraws and changes the picture.
      const before = await canvas.screenshot();
      const frames = Number(await canvas.getAttribute('data-frames'));
      await canvas.focus();
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      await page.waitForFunction(
        (n) => Number(document.querySelector('canvas[data-doppel="view"]').dataset.frames) > n,
        frames, { timeout: 10_000 });
      const after = await canvas.screenshot();
      assert.notDeepEqual(before, after, 'orbiting did not change the picture');
      assert.deepEqual(problems, [], `errors in the page: ${problems.join('\n')}`);
    } finally {
      await browser.close();
    }
  });
}

test('without WebGPU and WebGL2 the page explains, and loads no wasm', async () => {
  const browser = await launch('none');
  try {
    const page = await browser.newPage();
    const wasm = [];
    page.on('request', (r) => {
      if (r.url().endsWith('.wasm')) wasm.push(r.url());
    });
    await page.goto(`${APP_URL}/app/`);
    const msg = page.locator('[data-doppel="boot-status"][role="alert"]');
    await msg.waitFor({ timeout: 20_000 });
    assert.match(await msg.textContent(), /neither WebGPU nor WebGL2/);
    assert.equal(await page.locator('canvas').count(), 0);
    assert.deepEqual(wasm, []);
  } finally {
    await browser.close();
  }
});
