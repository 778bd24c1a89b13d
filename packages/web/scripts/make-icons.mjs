// Renders the app's icons (public/icons/*.png) from one SVG drawing with Debian's Chromium:
// `node packages/web/scripts/make-icons.mjs`. The PNGs are committed; run this after changing
// the drawing. "maskable" icons fill the whole square (launchers cut their own shape, keeping
// the middle 80%); the others have rounded corners of their own.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const out = fileURLToPath(new URL('../public/icons/', import.meta.url));
const bubble =
  'M16 20h32a4 4 0 0 1 4 4v14a4 4 0 0 1-4 4H30l-10 8v-8h-4a4 4 0 0 1-4-4V24a4 4 0 0 1 4-4z';

function svg({ maskable }) {
  const corner = maskable ? 0 : 16;
  // Maskable: the drawing shrinks into the safe zone.
  const inner = maskable ? 'translate(6.4 6.4) scale(0.8)' : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="100%" height="100%">
  <rect width="64" height="64" rx="${corner}" fill="#2f6f5e"/>
  <path transform="${inner}" d="${bubble}" fill="#fff"/></svg>`;
}

const icons = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
  { file: 'apple-touch-icon.png', size: 180, maskable: true },
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage();
  for (const icon of icons) {
    await page.setViewportSize({ width: icon.size, height: icon.size });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg(icon)}</body></html>`,
    );
    const png = await page.screenshot({ omitBackground: true, type: 'png' });
    writeFileSync(`${out}${icon.file}`, png);
    console.log(`wrote public/icons/${icon.file}`);
  }
} finally {
  await browser.close();
}
