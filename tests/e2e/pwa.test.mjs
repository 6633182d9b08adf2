// The installable app: manifest and icons that Chromium accepts, a service worker that
// caches the shell, the chosen wasm flavour, the body model and the catalog, and an app that
// starts and gives size advice offline after the first visit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, launch } from './browser.mjs';

async function fillAndSubmit(page) {
  await page.locator('select[name="sex"]').selectOption('female');
  await page.locator('input[name="age"]').fill('34');
  await page.locator('input[name="height"]').fill('168');
  await page.locator('input[name="weight"]').fill('64');
  await page.locator('[data-doppel="submit"]').click();
}

test('the PWA is installable and works offline after the first visit', async () => {
  const browser = await launch('webgl2');
  try {
    const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const url = `${APP_URL}/app/?product=tshirt-women&lang=en`;
    await page.goto(url);

    // Manifest: what Chromium needs to offer installation.
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    const manifest = await (await page.request.get(`${APP_URL}${manifestHref}`)).json();
    assert.equal(manifest.start_url, '/app/');
    assert.equal(manifest.scope, '/app/');
    assert.equal(manifest.display, 'standalone');
    for (const icon of manifest.icons) {
      const res = await page.request.get(`${APP_URL}${icon.src}`);
      assert.equal(res.status(), 200, icon.src);
    }
    assert.ok(manifest.icons.some((i) => i.sizes === '512x512' && i.type === 'image/png'));
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    // Playwright's contexts are incognito-like, which Chromium reports on its own; any
    // manifest, icon or service-worker problem would be listed beside it.
    const problems = installabilityErrors.filter((e) => e.errorId !== 'in-incognito');
    assert.deepEqual(problems, [], JSON.stringify(installabilityErrors));

    // First visit online: the worker installs; the visit itself fills the runtime cache.
    const build = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return reg.active.scriptURL;
    });
    assert.match(build, /\/app\/sw\.js$/);
    // Reload once so the page is controlled and its fetches (wasm, meshes) go through it.
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await fillAndSubmit(page);
    const rec = page.locator('[data-doppel="recommendation"]');
    await rec.waitFor({ timeout: 60_000 });
    const size = await rec.getAttribute('data-size');
    const canvas = page.locator('canvas[data-doppel="view"]');
    await page.waitForFunction(
      () => Number(document.querySelector('canvas[data-doppel="view"]')?.dataset.frames ?? 0) > 0,
      null, { timeout: 60_000 });
    // The garment of the recommended size is fetched after the avatar: wait until cached.
    await page.waitForFunction(async () => {
      for (const key of await caches.keys()) {
        const cache = await caches.open(key);
        const urls = (await cache.keys()).map((r) => r.url);
        if (urls.some((u) => u.endsWith('.wasm')) && urls.some((u) => u.endsWith('.glb'))) return true;
      }
      return false;
    }, null, { timeout: 60_000, polling: 500 });

    // Offline: the app starts from the cache and computes the same advice on the device.
    await context.setOffline(true);
    await page.reload();
    await rec.waitFor({ timeout: 60_000 });
    assert.equal(await rec.getAttribute('data-size'), size);
    await page.waitForFunction(
      () => Number(document.querySelector('canvas[data-doppel="view"]')?.dataset.frames ?? 0) > 0,
      null, { timeout: 60_000 });
    assert.equal(await canvas.getAttribute('data-backend'), 'webgl2');
    // A page with another query string is the same shell, also offline.
    await page.goto(`${APP_URL}/app/?product=jeans-women&lang=de`);
    await page.locator('input[name="height"]').waitFor({ timeout: 30_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
