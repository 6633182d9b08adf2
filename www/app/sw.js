// doppel's service worker: makes /app/ work offline after the first visit.
//
// `cargo xtask build-web` replaces BUILD with a hash of the deployed files, so a new
// deployment gets a new cache and the old one is deleted on activation. PRECACHE is the app
// shell plus what every visit needs (body model, catalog); the wasm flavour the loader picks
// and the garment meshes a shopper looks at are cached on first use (one flavour only: the
// other would double the download for nothing). "My products" works the same way: the
// concierge wasm (`/app/pkg/concierge/`) and the knowledge packs (`/packs/<name>/`) are
// cached when it is first opened, including a pack's 404s for its optional files, so that
// offline the pack loads exactly as it did online.
//
// Only GET requests to this origin are handled; nothing is ever sent anywhere by this
// worker, and nothing the shopper enters passes through it (it lives in localStorage).

const BUILD = '__DOPPEL_BUILD__';
const CACHE = `doppel-${BUILD}`;
const PRECACHE = [
  '/app/',
  '/app/boot.js',
  '/app/app.css',
  '/app/manifest.webmanifest',
  '/app/icon.svg',
  '/app/icon-192.png',
  '/assets/body/model.bin',
  '/catalog/catalog.json',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(PRECACHE);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('doppel-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

// Network first for pages and the catalog (fresh when online), cache first for the
// rest (wasm, model, meshes: versioned by BUILD); every successful response refreshes the cache.
self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  const fresh = req.mode === 'navigate' || url.pathname.endsWith('.json');
  event.respondWith(fresh ? networkFirst(req) : cacheFirst(req));
});

// A pack file that does not exist (optional files) answers 404; remembering that lets the
// pack load offline instead of failing on a network error.
const keepsMissing = (req) => new URL(req.url).pathname.startsWith('/packs/');

async function put(req, res) {
  if ((res.ok || (res.status === 404 && keepsMissing(req))) && res.type === 'basic') {
    const cache = await caches.open(CACHE);
    await cache.put(req, res.clone());
  }
  return res;
}

async function networkFirst(req) {
  try {
    return await put(req, await fetch(req));
  } catch (e) {
    // Offline: a page with any query string is the same app shell.
    const hit = await caches.match(req, { ignoreSearch: req.mode === 'navigate' });
    if (hit) return hit;
    throw e;
  }
}

async function cacheFirst(req) {
  const hit = await caches.match(req);
  return hit ?? put(req, await fetch(req));
}
