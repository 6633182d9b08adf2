// "My double" in the PWA: the fit map with its legend, the share dialog (size only by
// default, exact payload preview, consent ledger, focus handling), and the portable profile
// link — plain and passphrase-encrypted — including wrong passphrases and tampered links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, launch } from './browser.mjs';

async function answer(page) {
  await page.locator('select[name="sex"]').selectOption('female');
  await page.locator('input[name="age"]').fill('34');
  await page.locator('input[name="height"]').fill('168');
  await page.locator('input[name="weight"]').fill('64');
  await page.locator('[data-doppel="submit"]').click();
  await page.locator('[data-doppel="recommendation"]').waitFor({ timeout: 60_000 });
}

const frames = (page) => page.evaluate(
  () => Number(document.querySelector('canvas[data-doppel="view"]')?.dataset.frames ?? 0));

test('fit map, share dialog with ledger, and profile links', async () => {
  const browser = await launch('webgl2');
  try {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: APP_URL });
    const requests = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${APP_URL}/app/?product=tshirt-women&lang=en`);
    await answer(page);
    const size = await page.locator('[data-doppel="recommendation"]').getAttribute('data-size');

    // Fit map: a toggle with a text legend, and a redraw.
    const fitmap = page.locator('[data-doppel="fitmap"]');
    await fitmap.waitFor({ timeout: 60_000 });
    const before = await frames(page);
    await fitmap.click();
    assert.equal(await fitmap.getAttribute('aria-pressed'), 'true');
    const legend = page.locator('[data-doppel="legend"] li');
    await legend.first().waitFor();
    assert.equal(await legend.count(), 5);
    assert.match(await page.locator('[data-doppel="legend"]').textContent(), /too tight.*too loose/s);
    await page.waitForFunction((n) => Number(document.querySelector('canvas[data-doppel="view"]').dataset.frames) > n, before);

    // Share dialog: modal, size only by default, exact preview, then the ledger.
    const shareButton = page.locator('[data-doppel="share"]');
    await shareButton.click();
    const dialog = page.locator('[data-doppel="share-dialog"]');
    await dialog.waitFor();
    assert.equal(await dialog.evaluate((d) => d.open && d.contains(document.activeElement)), true);
    const preview = page.locator('[data-doppel="share-preview"]');
    assert.match(await preview.textContent(), new RegExp(`Chosen size: ${size} \\(tshirt-women\\)`));
    assert.doesNotMatch(await preview.textContent(), /168/);
    await dialog.locator('input[name="share-height"]').check();
    assert.match(await preview.textContent(), /Height: 168 cm/);
    await dialog.locator('input[name="share-to"][value="email"]').check();
    const mail = await dialog.locator('a[data-doppel="share-send"]').getAttribute('href');
    assert.match(mail, /^mailto:\?subject=.*&body=.*Height%3A%20168%20cm/);
    await dialog.locator('input[name="share-to"][value="anyone"]').check();
    await dialog.locator('button[data-doppel="share-send"]').click();
    await page.waitForFunction(() => document.querySelector('[data-doppel="ledger"] li') !== null);
    const ledger = await page.locator('[data-doppel="ledger"]').evaluate((d) => { d.open = true; return d.textContent; });
    assert.match(ledger, /anyone: size, height/);
    assert.match(ledger, /Height: 168 cm/);
    await page.keyboard.press('Escape');
    assert.equal(await dialog.evaluate((d) => d.open), false);
    const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('doppel.profile')));
    assert.equal(stored.ledger.length, 1);
    assert.deepEqual(stored.ledger[0].fields, ['size', 'height']);

    // Links: plain and encrypted; the data is in the fragment only.
    await page.locator('.doppel-link summary').click();
    await page.locator('[data-doppel="make-link"]').click();
    const plain = await page.locator('[data-doppel="link"]').inputValue();
    assert.ok(plain.startsWith(`${APP_URL}/app/#doppel-profile=`), plain);
    await page.locator('input[name="passphrase"]').fill('correct horse');
    await page.locator('[data-doppel="make-link"]').click();
    await page.waitForFunction(() => document.querySelector('[data-doppel="link"]').value.includes('doppel-profile-enc=v1.'));
    const enc = await page.locator('[data-doppel="link"]').inputValue();
    assert.ok(!enc.includes('168'), 'the encrypted link does not show the values');

    // A fresh device opens the encrypted link: wrong passphrase, then the right one.
    const other = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    other.on('request', (r) => requests.push(r.url()));
    const p2 = await other.newPage();
    p2.on('pageerror', (e) => errors.push(e.message));
    await p2.goto(enc);
    const offer = p2.locator('[data-doppel="link-offer"]');
    await offer.waitFor({ timeout: 30_000 });
    assert.ok(!p2.url().includes('#'), 'the fragment is dropped from the address bar');
    await p2.locator('input[name="link-passphrase"]').fill('wrong');
    await p2.locator('[data-doppel="link-load"]').click();
    await p2.waitForFunction(() => /wrong passphrase/.test(document.querySelector('[data-doppel="mydouble-status"]').textContent), null, { timeout: 30_000 });
    assert.equal(await p2.locator('input[name="height"]').inputValue(), '');
    await p2.locator('input[name="link-passphrase"]').fill('correct horse');
    await p2.locator('[data-doppel="link-load"]').click();
    await p2.waitForFunction(() => document.querySelector('input[name="height"]').value === '168', null, { timeout: 30_000 });
    assert.equal(await offer.count(), 0);

    // A tampered encrypted link and a corrupt plain link: clear messages, nothing loaded.
    const cut = enc.length - 10;
    const tampered = enc.slice(0, cut) + (enc[cut] === 'A' ? 'B' : 'A') + enc.slice(cut + 1);
    const p3 = await (await browser.newContext()).newPage();
    p3.on('pageerror', (e) => errors.push(e.message));
    await p3.goto(tampered);
    await p3.locator('input[name="link-passphrase"]').fill('correct horse');
    await p3.locator('[data-doppel="link-load"]').click();
    await p3.waitForFunction(() => /wrong passphrase, or the link was changed/.test(document.querySelector('[data-doppel="mydouble-status"]').textContent), null, { timeout: 30_000 });
    await p3.goto(`${APP_URL}/app/?lang=en#doppel-profile=@@@`);
    await p3.reload();
    await p3.waitForFunction(() => /not a doppel profile/.test(document.querySelector('[data-doppel="mydouble-status"]')?.textContent ?? ''), null, { timeout: 30_000 });

    // The plain link loads too.
    const p4 = await (await browser.newContext()).newPage();
    await p4.goto(plain);
    await p4.locator('[data-doppel="link-load"]').click();
    await p4.waitForFunction(() => document.querySelector('input[name="height"]').value === '168', null, { timeout: 30_000 });

    assert.deepEqual(requests.filter((u) => !u.startsWith(APP_URL)), []);
    assert.ok(requests.every((u) => !u.includes('doppel-profile')), 'no request carries the link data');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('German controls in the 3D view', async () => {
  const browser = await launch('webgl2');
  try {
    const page = await browser.newPage();
    await page.goto(`${APP_URL}/app/?product=tshirt-women&lang=de`);
    const views = page.locator('.doppel-views');
    await views.waitFor({ timeout: 30_000 });
    assert.match(await views.textContent(), /Vorne.*Seite.*Hinten.*Zurücksetzen/s);
    assert.match(await page.locator('canvas[data-doppel="view"]').getAttribute('aria-label'), /Pfeiltasten/);
  } finally {
    await browser.close();
  }
});
