import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** `npm run dev` proxies the API and the cable to a Salon server on SALON_DEV_SERVER (default :3000). */
const server = process.env.SALON_DEV_SERVER ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  // The server's SPA fallback answers /rooms/<id> with index.html: asset URLs must be absolute.
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      '/api': server,
      '/healthz': server,
      '/cable': { target: server, ws: true },
    },
  },
});
