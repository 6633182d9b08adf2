// "My products" in the PWA: the GPU-free concierge build, in a browser with no 3D at all.
// Add a product by GS1 Digital Link, see its card and a due care task, ask about an error
// code (same cited answer twice), build a report from ticked fields only, stay on this
// origin without ever sending the serial, pass axe, work offline, and explain bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { APP_URL, launch } from './browser.mjs';

const AXE = new URL('../node_modules/axe-core/axe.min.js', import.meta.url);
// A Barista Pro from the sample pack `bohnenwerk` (produced 2024-12-23 per AI 11).
const SERIAL = 'BWBP2452P00007';
const LINK = `https://id.bohnenwerk.example/01/04260999810028/21/${SERIAL}?11=241223`;
// The same GTIN with its check digit changed (8 → 9).
const BAD_LINK = `https://id.bohnenwerk.example/01/04260999810029/21/${SERIAL}`;

async function axeProblems(page) {
  await page.evaluate(await readFile(AXE, 'utf8'));
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function ask(page, question) {
  const asked = () => page.evaluate(() => Number(document.querySelector('.doppel-answer')?.dataset.asked ?? 0));
  const before = await asked();
  const box = page.getByLabel('Ask', { exact: true });
  await box.fill(question);
  await box.press('Enter');
  await page.waitForFunction((n) => Number(document.querySelector('.doppel-answer')?.dataset.asked ?? 0) > n, before);
  const answer = page.locator('.doppel-answer');
  const source = answer.locator('.doppel-source');
  return {
    text: await answer.textContent(),
    source: (await source.count()) > 0 ? await source.getAttribute('data-source') : null,
  };
}

test('My products: identify, care, ask, consent-gated report, offline, bad input', async () => {
  // No WebGPU, no WebGL: the 3D part says so, "My products" must work all the same.
  const browser = await launch('none');
  try {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    const requests = [];
    context.on('request', (r) => requests.push({ url: r.url(), body: r.postData() ?? '' }));
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${APP_URL}/app/?lang=en`);
    await page.locator('[data-doppel="boot-status"][role="alert"]').waitFor();

    // The two-part navigation: labelled tabs, keyboard operable (arrow key to the next tab).
    const doubleTab = page.getByRole('tab', { name: 'My double' });
    const productsTab = page.getByRole('tab', { name: 'My products' });
    assert.equal(await doubleTab.getAttribute('aria-selected'), 'true');
    await doubleTab.focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await productsTab.getAttribute('aria-selected'), 'true');
    assert.ok(await productsTab.evaluate((el) => el === document.activeElement));
    const panel = page.locator('#doppel-products');
    await page.waitForFunction(() => document.querySelector('#doppel-products')?.dataset.doppelState === 'running');
    // Packs loaded (the status line goes away).
    await page.locator('.doppel-concierge [role="status"]').waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await page.locator('#doppel-root').isHidden(), true);

    // A bad check digit: a clear message naming it, nothing added.
    const code = page.getByLabel('Device number, serial or GS1 link');
    await code.fill(BAD_LINK);
    await page.getByRole('button', { name: 'Add' }).click();
    const alert = panel.locator('.doppel-error[role="alert"]');
    await alert.waitFor();
    assert.match(await alert.textContent(), /check digit/i);
    assert.equal(await panel.locator('.doppel-card').count(), 0);

    // Add by GS1 Digital Link with a purchase date: model, production date, warranty.
    await code.fill(LINK);
    await page.getByLabel('Purchased on (optional)').fill('2025-01-10');
    await page.getByRole('button', { name: 'Add' }).click();
    const card = panel.locator('.doppel-card');
    await card.waitFor();
    const cardText = await card.textContent();
    assert.match(cardText, /Model/);
    assert.match(cardText, /Produced2024-12-2\d/);
    assert.match(cardText, new RegExp(SERIAL));
    assert.match(cardText, /Warranty until20\d\d-\d\d-\d\d/);
    // Bought in January 2025 and never descaled: the descaling task is due or overdue.
    const descale = panel.locator('.doppel-task', { hasText: 'Descaling' });
    await descale.waitFor();
    assert.match(await descale.getAttribute('class'), /overdue|due/);

    // Ask about error 8: the code's entry, cited, and the very same answer again.
    const first = await ask(page, 'what does error 8 mean');
    assert.equal(first.source, 'E08');
    assert.match(first.text, /Source: .*E08/);
    assert.equal((await ask(page, 'Fehler 8')).source, 'E08');
    const again = await ask(page, 'what does error 8 mean');
    assert.deepEqual(again, first);
    // "About: All products" asks every installed pack: a clothing question finds the fashion
    // pack's answer; about the coffee machine alone it finds none of it.
    const about = page.getByLabel('About');
    assert.equal(await about.inputValue(), '');
    assert.equal((await ask(page, 'Will the T-shirt shrink in the wash?')).source, 'shrinkage');
    // Its runners-up are offered; picking one shows that entry's cited answer.
    const offer = page.locator('.doppel-alternative').first();
    const entry = await offer.getAttribute('data-entry');
    const asked = await page.evaluate(() => Number(document.querySelector('.doppel-answer').dataset.asked));
    await offer.click();
    await page.waitForFunction((n) => Number(document.querySelector('.doppel-answer')?.dataset.asked ?? 0) > n, asked);
    assert.equal(await page.locator('.doppel-answer .doppel-source').getAttribute('data-source'), entry);
    assert.notEqual(entry, 'shrinkage');
    await about.selectOption({ index: 1 });
    assert.notEqual((await ask(page, 'Will the T-shirt shrink in the wash?')).source, 'shrinkage');
    await about.selectOption('');

    // Report dialog: modal, nothing ticked, the preview shows exactly the ticked fields.
    await card.getByRole('button', { name: 'Diagnostic report' }).click();
    const dialog = page.locator('dialog.doppel-report');
    await dialog.waitFor();
    assert.equal(await dialog.evaluate((d) => d.open && d.matches(':modal')), true);
    const boxes = dialog.locator('input[type="checkbox"]');
    assert.ok((await boxes.count()) >= 4);
    for (let i = 0; i < await boxes.count(); i++) assert.equal(await boxes.nth(i).isChecked(), false);
    const payload = dialog.locator('.doppel-payload');
    assert.match(await payload.textContent(), /choose at least one field/);
    await dialog.getByLabel('Product', { exact: true }).check();
    const withProduct = await payload.textContent();
    assert.ok(!withProduct.includes(SERIAL), withProduct);
    await dialog.getByLabel('Serial number', { exact: true }).check();
    const withSerial = await payload.textContent();
    assert.ok(withSerial.includes(SERIAL), withSerial);
    await dialog.getByLabel('Serial number', { exact: true }).uncheck();
    assert.equal(await payload.textContent(), withProduct);
    assert.deepEqual(await axeProblems(page), [], 'axe (dialog open)');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(await axeProblems(page), [], 'axe');

    // Offline after one visit: the worker controls the page once reloaded, and the
    // concierge build and the packs are cached on that visit.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.waitForFunction(() => document.querySelector('#doppel-products')?.dataset.doppelState === 'running');
    await page.locator('.doppel-concierge [role="status"]').waitFor({ state: 'detached', timeout: 30_000 });
    await page.waitForFunction(async () => {
      const urls = [];
      for (const key of await caches.keys()) {
        urls.push(...(await (await caches.open(key)).keys()).map((r) => r.url));
      }
      return urls.some((u) => u.includes('/app/pkg/concierge/doppel_bg.wasm'))
        && urls.some((u) => u.endsWith('/packs/bohnenwerk/faq.json'))
        && urls.some((u) => u.endsWith('/packs/fashion/pack.json'));
    }, null, { timeout: 30_000, polling: 500 });
    await context.setOffline(true);
    await page.reload();
    // The last part used opens again, from the cache, with the product kept.
    await page.locator('.doppel-card').waitFor({ timeout: 30_000 });
    await page.locator('.doppel-concierge [role="status"]').waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal((await ask(page, 'what does error 8 mean')).source, 'E08');
    await context.setOffline(false);

    // A corrupt stored profile: a clear message, the damaged text kept aside, no crash.
    await page.evaluate(() => {
      localStorage.setItem('doppel.concierge.profile', '{"schema": broken');
      localStorage.removeItem('doppel.concierge.profile.backup');
    });
    await page.reload();
    const damaged = page.locator('#doppel-products .doppel-error[role="alert"]');
    await damaged.waitFor({ timeout: 30_000 });
    assert.match(await damaged.textContent(), /damaged/);
    assert.equal(await page.evaluate(() => localStorage.getItem('doppel.concierge.profile.damaged')),
      '{"schema": broken');

    // Only this origin was asked for anything, and no request carried the serial.
    const origin = new URL(APP_URL).origin;
    for (const r of requests) {
      assert.equal(new URL(r.url).origin, origin, `request to another origin: ${r.url}`);
      assert.ok(!r.url.includes(SERIAL) && !r.body.includes(SERIAL), `request carries the serial: ${r.url}`);
    }
    // The 3D part's wasm was never fetched (no adapter), the concierge's was.
    assert.ok(!requests.some((r) => /\/app\/pkg\/webgl2?|\/app\/pkg\/webgpu/.test(r.url)));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('reminders: permission asked only on click, due tasks notify once a day on app open', async () => {
  const browser = await launch('none');
  try {
    const context = await browser.newContext();
    // A recording stand-in for the Notification API (headless Chromium shows none); its
    // permission and the notifications shown survive reloads in this origin's storage.
    await context.addInitScript(() => {
      const log = (k) => JSON.parse(localStorage.getItem(k) ?? '[]');
      class FakeNotification {
        static get permission() { return localStorage.getItem('test.permission') ?? 'default'; }
        static async requestPermission() {
          localStorage.setItem('test.asked', String(Number(localStorage.getItem('test.asked') ?? 0) + 1));
          localStorage.setItem('test.permission', 'granted');
          return 'granted';
        }
        constructor(title, opts) {
          localStorage.setItem('test.shown', JSON.stringify([...log('test.shown'), opts?.body ?? title]));
        }
      }
      window.Notification = FakeNotification;
    });
    const page = await context.newPage();
    await page.goto(`${APP_URL}/app/?lang=en&view=products`);
    // Mounted first, then the packs loaded (the status line goes): before the mount there is
    // no status line yet, and waiting for it to be gone would pass too early.
    await page.waitForFunction(() => document.querySelector('#doppel-products')?.dataset.doppelState === 'running');
    await page.locator('.doppel-concierge [role="status"]').waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByLabel('Device number, serial or GS1 link').fill('BWBO2410L00042');
    await page.getByLabel('Purchased on (optional)').fill('2025-01-10');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.locator('.doppel-card').waitFor();
    const read = (k) => page.evaluate((key) => localStorage.getItem(key), k);
    // Nothing asked before the click.
    assert.equal(await read('test.asked'), null);
    await page.getByLabel('Remind me').check();
    await page.waitForFunction(() => localStorage.getItem('test.shown') !== null);
    assert.equal(await read('test.asked'), '1');
    const shown = JSON.parse(await read('test.shown'));
    assert.ok(shown.some((t) => /Descaling/.test(t)), JSON.stringify(shown));
    // Opening the app again the same day (even on "My double") repeats nothing and asks nothing.
    await page.goto(`${APP_URL}/app/?lang=en&view=double`);
    await page.waitForFunction(() => document.querySelector('#doppel-products')?.dataset.doppelState === 'running');
    await page.waitForTimeout(1000);
    assert.deepEqual(JSON.parse(await read('test.shown')), shown);
    assert.equal(await read('test.asked'), '1');
    // The next day the still-due tasks notify again, once.
    await page.evaluate(() => {
      const today = new Date().toISOString().slice(0, 10);
      const prev = localStorage.getItem('doppel.concierge.notified');
      localStorage.setItem('doppel.concierge.notified', prev.replaceAll(today, '2000-01-01'));
    });
    await page.reload();
    await page.waitForFunction((n) => JSON.parse(localStorage.getItem('test.shown')).length > n, shown.length);
    assert.equal(JSON.parse(await read('test.shown')).length, 2 * shown.length);
  } finally {
    await browser.close();
  }
});
