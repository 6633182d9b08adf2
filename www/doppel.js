/*! doppel embed loader — https://example.invalid/doppel — MIT OR Apache-2.0
 *
 * <script src="https://WIDGET-ORIGIN/doppel.js" defer></script>
 * <doppel-fit product="tshirt-men" catalog="https://WIDGET-ORIGIN/catalog/" lang="en" fit="regular"></doppel-fit>
 *
 * The widget runs in a cross-origin iframe served from the origin this file was loaded
 * from, so the host page can read neither what the shopper types nor the widget's
 * storage. The only thing that ever reaches the host is a `doppel-size` event with
 * detail {product, size}, sent when the shopper presses "use this size".
 * No dependencies, no inline script, no cookies.
 */
(() => {
  'use strict';
  if (!window.customElements || customElements.get('doppel-fit')) return;

  // The widget origin is the origin of this script (classic or module <script src>).
  const script = document.currentScript ||
    [...document.querySelectorAll('script[src]')].find((s) => /\/doppel\.js(?:[?#]|$)/.test(s.src));
  if (!script) return;
  const BASE = new URL(script.src, location.href);
  const ORIGIN = BASE.origin;
  const ATTRS = ['product', 'catalog', 'lang', 'fit'];
  const ID = /^[a-z0-9_-]{1,64}$/;
  const SIZE = /^[\w .\/+-]{1,16}$/u;
  const FITS = ['snug', 'regular', 'loose'];

  // Normalised configuration from the element's attributes (bad values are dropped, so
  // the widget falls back to its defaults and explains).
  const config = (el) => {
    const product = el.getAttribute('product') || '';
    let catalog = el.getAttribute('catalog') || '/catalog/';
    try {
      catalog = new URL(catalog, BASE).href;
    } catch {
      catalog = new URL('/catalog/', BASE).href;
    }
    const lang = (el.getAttribute('lang') || document.documentElement.lang || navigator.language || 'en')
      .slice(0, 2).toLowerCase() === 'de' ? 'de' : 'en';
    const fit = FITS.includes(el.getAttribute('fit')) ? el.getAttribute('fit') : 'regular';
    return { product, catalog, lang, fit };
  };

  class DoppelFit extends HTMLElement {
    static get observedAttributes() {
      return ATTRS;
    }

    constructor() {
      super();
      this._root = this.attachShadow({ mode: 'closed' });
      this._frame = null;
      this._ready = false;
      this._onMessage = this._onMessage.bind(this);
    }

    connectedCallback() {
      window.addEventListener('message', this._onMessage);
      if (this._frame) return;
      const c = config(this);
      const url = new URL('/app/', ORIGIN);
      url.searchParams.set('embed', '1');
      for (const k of ATTRS) url.searchParams.set(k, c[k]);
      url.searchParams.set('host', location.origin);
      // Styles through the CSSOM: a <style> element would need 'unsafe-inline' on the host.
      if (!this.style.display) this.style.display = 'block';
      const f = document.createElement('iframe');
      Object.assign(f.style, { display: 'block', width: '100%', height: '720px', border: '0' });
      f.src = url.href;
      f.title = c.lang === 'de' ? 'doppel Größenberatung' : 'doppel size advice';
      f.setAttribute('allow', 'fullscreen');
      f.setAttribute('referrerpolicy', 'no-referrer');
      // The widget needs its own scripts and storage; it never navigates the host.
      f.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-popups allow-downloads allow-forms');
      this._frame = f;
      this._root.append(f);
    }

    disconnectedCallback() {
      window.removeEventListener('message', this._onMessage);
    }

    attributeChangedCallback(name, before, after) {
      if (before !== after && this._frame && this._ready) this._send();
    }

    _send() {
      const w = this._frame && this._frame.contentWindow;
      if (w) w.postMessage({ type: 'doppel:config', ...config(this) }, ORIGIN);
    }

    // Accepts only messages from our own iframe, from the widget origin, of a known shape.
    _onMessage(e) {
      if (e.origin !== ORIGIN || !this._frame || e.source !== this._frame.contentWindow) return;
      const d = e.data;
      if (!d || typeof d !== 'object' || Array.isArray(d)) return;
      const keys = Object.keys(d).sort().join(',');
      if (d.type === 'doppel:ready' && keys === 'type') {
        this._ready = true;
        this._send();
      } else if (d.type === 'doppel:size' && keys === 'product,size,type' &&
        typeof d.product === 'string' && ID.test(d.product) &&
        d.product === this.getAttribute('product') &&
        typeof d.size === 'string' && SIZE.test(d.size)) {
        this.dispatchEvent(new CustomEvent('doppel-size', {
          bubbles: true, composed: true, detail: { product: d.product, size: d.size },
        }));
      } else if (d.type === 'doppel:height' && keys === 'height,type' &&
        Number.isFinite(d.height) && d.height >= 200 && d.height <= 4000) {
        this._frame.style.height = `${Math.ceil(d.height)}px`;
      }
    }
  }

  customElements.define('doppel-fit', DoppelFit);
})();
