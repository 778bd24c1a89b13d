// Salon's service worker: the app shell (index.html, the built scripts and styles, icons) is
// kept so that the app opens without a network, like an installed app. API answers, the cable
// and anything else are never cached or even touched: they always go to the server.
// __VERSION__ and __PRECACHE__ are filled in at build time (service-worker-plugin.ts).

const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
const CACHE = `salon-shell-${VERSION}`;
/** Paths that belong to the server, never to the shell. */
const SERVER_PATHS = /^\/(?:api|cable|healthz)(?:[/?#]|$)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith('salon-shell-') && key !== CACHE)
            .map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || SERVER_PATHS.test(url.pathname)) return;
  if (request.mode === 'navigate') {
    // The network first, so a new version shows at once; the kept shell when offline.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match('/index.html').then((cached) => cached ?? Response.error()),
      ),
    );
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((cached) => cached ?? fetch(request)));
  }
});
