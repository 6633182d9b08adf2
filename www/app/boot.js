// doppel loader: two parts, each its own wasm build, loaded only when shown.
//
// "My double" (the fitting app): the WebGPU build when navigator.gpu yields an adapter, else
// the WebGL2 build; with neither, a clear message and no wasm download at all.
// `?backend=webgl2|webgpu` forces one (tests).
// "My products" (the concierge): the GPU-free concierge build, so it works where the 3D
// check fails. `?view=products` opens it; otherwise the last part used, else "My double".
// Inside a shop's iframe (`?embed=1`) there is no navigation: only the fitting widget.

const root = document.getElementById('doppel-root');
const products = document.getElementById('doppel-products');
const params = new URLSearchParams(location.search);
const embedded = params.get('embed') === '1';
const german = (params.get('lang') || navigator.language || '').toLowerCase().startsWith('de');
const VIEW_KEY = 'doppel.app.view';
// Written by the concierge when the shopper switches reminders on (see concierge_ui.rs).
const REMINDERS_KEY = 'doppel.concierge.reminders';

const status = (panel, text, kind) => {
  let el = panel.querySelector('[data-doppel="boot-status"]');
  if (!el) {
    el = document.createElement('p');
    el.dataset.doppel = 'boot-status';
    panel.prepend(el);
  }
  el.className = kind === 'error' ? 'doppel-error' : 'doppel-status';
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.textContent = text;
};

async function hasWebGpu() {
  if (!('gpu' in navigator)) return false;
  try {
    return (await navigator.gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

function hasWebGl2() {
  try {
    return document.createElement('canvas').getContext('webgl2') !== null;
  } catch {
    return false;
  }
}

export async function pickFlavour() {
  const forced = params.get('backend');
  if (forced === 'webgpu' || forced === 'webgl2') return forced;
  if (await hasWebGpu()) return 'webgpu';
  if (hasWebGl2()) return 'webgl2';
  return null;
}

async function startDouble() {
  const flavour = await pickFlavour();
  document.documentElement.dataset.flavour = flavour ?? 'none';
  if (!flavour) {
    status(root, 'Your browser has neither WebGPU nor WebGL2 enabled, so the 3D view cannot start. ' +
      'Turn on hardware acceleration or try a current browser.' +
      (embedded ? '' : ' "My products" works without them.'), 'error');
    root.dataset.doppelState = 'no-adapter';
    return;
  }
  try {
    const mod = await import(`/app/pkg/${flavour}/doppel.js`);
    await mod.default();
    root.textContent = '';
    mod.start(root);
    root.dataset.doppelState = 'running';
  } catch (e) {
    status(root, `doppel could not start (${e?.message ?? e}). Reload the page to try again.`, 'error');
    root.dataset.doppelState = 'failed';
  }
}

async function startProducts() {
  products.dataset.doppelState = 'loading';
  status(products, german ? 'Meine Produkte werden geladen …' : 'Loading my products…');
  try {
    const mod = await import('/app/pkg/concierge/doppel.js');
    await mod.default();
    products.textContent = '';
    mod.start_concierge(products);
    products.dataset.doppelState = 'running';
  } catch (e) {
    status(products, `"My products" could not start (${e?.message ?? e}). Reload the page to try again.`, 'error');
    products.dataset.doppelState = 'failed';
  }
}

// Each part starts once, the first time it is shown.
const starters = { double: startDouble, products: startProducts };
const started = new Set();
function ensureStarted(view) {
  if (started.has(view)) return;
  started.add(view);
  starters[view]();
}

const tabs = [...document.querySelectorAll('[data-doppel-tab]')];
const panels = { double: root, products };

function storage(fn) {
  // Storage may be blocked (private mode, policies): the app works without remembering.
  try {
    return fn(localStorage);
  } catch {
    return null;
  }
}

function show(view, focus) {
  for (const tab of tabs) {
    const on = tab.dataset.doppelTab === view;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    panels[tab.dataset.doppelTab].hidden = !on;
    if (on && focus) tab.focus();
  }
  document.documentElement.dataset.view = view;
  storage((s) => s.setItem(VIEW_KEY, view));
  ensureStarted(view);
}

function setUpNavigation() {
  const bar = document.querySelector('[data-doppel="appbar"]');
  const labels = german
    ? { double: 'Mein Double', products: 'Meine Produkte' }
    : { double: 'My double', products: 'My products' };
  for (const tab of tabs) {
    tab.textContent = labels[tab.dataset.doppelTab];
    tab.addEventListener('click', () => show(tab.dataset.doppelTab, false));
    // Tabs pattern: arrows, Home and End move between the parts.
    tab.addEventListener('keydown', (e) => {
      const i = tabs.indexOf(tab);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      show(tabs[(next + tabs.length) % tabs.length].dataset.doppelTab, true);
    });
  }
  for (const [view, panel] of Object.entries(panels)) {
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', `doppel-tab-${view}`);
  }
  bar.hidden = false;
}

function initialView() {
  const asked = params.get('view');
  if (asked === 'products' || asked === 'double') return asked;
  // A link into the fitting app (a product) opens it, whatever was used last.
  if (params.has('product')) return 'double';
  const last = storage((s) => s.getItem(VIEW_KEY));
  return last === 'products' ? 'products' : 'double';
}

// Offline support for the installed app (not inside a shop's iframe: a shop visit needs no
// offline copy, and the cache would sit in that shop's storage partition).
function registerServiceWorker() {
  if (window.top !== window || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch((e) => {
    // Offline use is a bonus: the app works online without it.
    console.warn(`doppel: offline mode unavailable (${e?.message ?? e})`);
  });
}

registerServiceWorker();
if (embedded) {
  ensureStarted('double');
} else {
  setUpNavigation();
  show(initialView(), false);
  // Reminders fire when the app opens (browsers cannot schedule a notification without a
  // push server, which doppel does not use): with them switched on, the concierge starts in
  // the background even while "My double" is shown, and notifies due tasks once a day.
  const remind = storage((s) => s.getItem(REMINDERS_KEY)) === 'on';
  if (remind && 'Notification' in window && Notification.permission === 'granted') {
    ensureStarted('products');
  }
}
