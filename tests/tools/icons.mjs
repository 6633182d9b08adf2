// Renders the PWA's PNG icons from the SVG sources with Debian's Chromium, so the
// committed PNGs can be reproduced: `node tests/tools/icons.mjs` (from the repository root).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const jobs = [
  ['www/app/icon.svg', 'www/app/icon-192.png', 192],
  ['www/app/icon.svg', 'www/app/icon-512.png', 512],
  ['www/app/icon-maskable.svg', 'www/app/icon-maskable-512.png', 512],
];
const browser = await chromium.launch({
  executablePath: process.env.DOPPEL_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
try {
  for (const [src, out, size] of jobs) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const svg = readFileSync(src, 'utf8').replace('<svg ', `<svg width="${size}" height="${size}" `);
    await page.setContent(`<style>html,body{margin:0;background:transparent}</style>${svg}`);
    await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await page.close();
  }
} finally {
  await browser.close();
}
