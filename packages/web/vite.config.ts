import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { serviceWorker } from './service-worker-plugin.js';

/** `npm run dev` proxies the API and the cable to a Salon server on SALON_DEV_SERVER (default :3000). */
const server = process.env.SALON_DEV_SERVER ?? 'http://localhost:3000';
const webRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  plugins: [react(), serviceWorker(webRoot)],
  // The server's SPA fallback answers /rooms/<id> with index.html: asset URLs must be absolute.
  base: '/',
  // No source maps in the served build: they would hand out the sources (`npm run dev` has its own).
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Every browser the app supports preloads modules natively (Safari since 17); without the
    // polyfill a browser that does not just fetches them a little later.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/api': server,
      '/healthz': server,
      '/cable': { target: server, ws: true },
    },
  },
});
