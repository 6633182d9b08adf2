// Draped sizes and the side-by-side compare view, on both GPU paths: the recommended size is
// shown draped on the shopper's avatar; "Compare with…" puts a second size beside it in a
// split view with one caption per half; turning it off returns to the single view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { APP_URL, launch, pixelStats } from './browser.mjs';

const AXE = new URL('../node_modules/axe-core/axe.min.js', import.meta.url);

const frames = (page) => page.evaluate(
  () => Number(document.querySelector('canvas[data-doppel="view"]')?.dataset.frames ?? 0));

for (const mode of ['webgpu', 'webgl2']) {
  test(`draped garment and two sizes side by side (${mode})`, async () => {
    const browser = await launch(mode);
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
      const problems = [];
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      await page.goto(`${APP_URL}/app/?product=tshirt-men&lang=en`);
      const canvas = page.locator('canvas[data-doppel="view"]');
      await page.waitForFunction(
        () => document.querySelector('canvas[data-doppel="view"]')?.dataset.backend, null,
        { timeout: 30_000 });
      assert.equal(await canvas.getAttribute('data-backend'), mode);

      await page.locator('select[name="sex"]').selectOption('male');
      await page.locator('input[name="age"]').fill('45');
      await page.locator('input[name="height"]').fill('176');
      await page.locator('input[name="weight"]').fill('88');
      await page.locator('[data-doppel="submit"]').click();
      const rec = page.locator('[data-doppel="recommendation"]');
      await rec.waitFor({ timeout: 60_000 });
      const size = await rec.getAttribute('data-size');

      // The recommended size, draped on the avatar, is what the view shows; then frames.
      const viewer = page.locator('section.doppel-viewer');
      await page.locator(`section.doppel-viewer[data-garment="${size}"]`).waitFor({ timeout: 60_000 });
      await page.locator('[data-doppel="draping"]').waitFor({ state: 'detached', timeout: 60_000 });
      assert.equal(await page.locator('[data-doppel="drape-error"]').count(), 0);
      await page.waitForFunction(() => {
        const c = document.querySelector('canvas[data-doppel="view"]').dataset;
        return Number(c.garmentFrameMs) >= Number(c.avatarFrameMs);
      }, null, { timeout: 30_000 });
      assert.equal(await viewer.getAttribute('data-compare'), null);
      assert.notEqual(await canvas.getAttribute('data-split'), 'on');

      // "Compare with…": a labelled select listing every other size and "off".
      const compare = page.locator('select[name="compare"]');
      assert.equal(await page.locator('label[for="doppel-compare"]').textContent(), 'Compare with');
      const options = await compare.locator('option').evaluateAll((os) => os.map((o) => o.value));
      assert.equal(options[0], '');
      assert.ok(!options.includes(size), `the shown size ${size} is not offered to compare with`);
      assert.ok(options.length >= 5, `other sizes offered: ${options}`);
      const other = options.find((o) => o !== '');
      const before = await frames(page);
      // Keyboard: focus the select and step to the first size with the arrow key.
      await compare.focus();
      await page.keyboard.press('ArrowDown');
      assert.equal(await compare.inputValue(), other);

      // Both sizes draped, the renderer in split view, a caption per half, new frames.
      await page.locator(`section.doppel-viewer[data-compare="${other}"]`).waitFor({ timeout: 60_000 });
      assert.equal(await viewer.getAttribute('data-garment'), size);
      await page.waitForFunction(
        () => document.querySelector('canvas[data-doppel="view"]').dataset.split === 'on', null,
        { timeout: 30_000 });
      await page.waitForFunction(
        (n) => Number(document.querySelector('canvas[data-doppel="view"]').dataset.frames) > n,
        before, { timeout: 30_000 });
      const captions = page.locator('[data-doppel="split-captions"]');
      const left = await captions.locator('[data-side="left"]').textContent();
      const right = await captions.locator('[data-side="right"]').textContent();
      assert.match(left, new RegExp(`^${size}: \\S`));
      assert.match(right, new RegExp(`^${other}: \\S`));
      // The split view's controls and captions pass axe (no serious or critical finding).
      await page.evaluate(await readFile(AXE, 'utf8'));
      const axe = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(axe, [], `axe violations:\n${axe.join('\n')}`);
      // Each half draws a figure (not an empty or single-colour half).
      for (const half of ['left', 'right']) {
        const s = await pixelStats(page, canvas, half);
        assert.ok(s.nonBackground > 0.03 && s.colours > 20,
          `${half} half looks empty: ${JSON.stringify(s)}`);
      }

      // Another size replaces the compared one; picking the compared size to wear ends the
      // comparison (a size is never compared with itself); "off" ends it too.
      const third = options.find((o) => o !== '' && o !== other);
      await compare.selectOption(third);
      await page.locator(`section.doppel-viewer[data-compare="${third}"]`).waitFor({ timeout: 60_000 });
      await page.locator(`.doppel-sizes button[data-size="${third}"]`).click();
      await page.locator(`section.doppel-viewer[data-garment="${third}"]`).waitFor({ timeout: 60_000 });
      assert.equal(await viewer.getAttribute('data-compare'), null);
      assert.equal(await compare.inputValue(), '');
      await compare.selectOption(other);
      await page.locator(`section.doppel-viewer[data-compare="${other}"]`).waitFor({ timeout: 60_000 });
      await compare.selectOption('');
      await page.waitForFunction(
        () => !document.querySelector('section.doppel-viewer').hasAttribute('data-compare')
          && document.querySelector('canvas[data-doppel="view"]').dataset.split === 'off',
        null, { timeout: 30_000 });
      assert.equal(await captions.count(), 0);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });
}
