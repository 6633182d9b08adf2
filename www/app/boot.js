// doppel loader: picks the wasm flavour at runtime and mounts the app.
// WebGPU build when navigator.gpu yields an adapter, else the WebGL2 build; with neither,
// a clear message and no wasm download at all. `?backend=webgl2|webgpu` forces one (tests).

const root = document.getElementById('doppel-root');
const status = (text, kind) => {
  let el = root.querySelector('[data-doppel="boot-status"]');
  if (!el) {
    el = document.createElement('p');
    el.dataset.doppel = 'boot-status';
    root.prepend(el);
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
  const forced = new URLSearchParams(location.search).get('backend');
  if (forced === 'webgpu' || forced === 'webgl2') return forced;
  if (await hasWebGpu()) return 'webgpu';
  if (hasWebGl2()) return 'webgl2';
  return null;
}

async function boot() {
  const flavour = await pickFlavour();
  document.documentElement.dataset.flavour = flavour ?? 'none';
  if (!flavour) {
    status('Your browser has neither WebGPU nor WebGL2 enabled, so the 3D view cannot start. ' +
      'Turn on hardware acceleration or try a current browser.', 'error');
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
    status(`doppel could not start (${e?.message ?? e}). Reload the page to try again.`, 'error');
    root.dataset.doppelState = 'failed';
  }
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
boot();
