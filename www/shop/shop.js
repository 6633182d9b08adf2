// The demo shop embeds the doppel app from the widget's origin, so the shop never shares an
// origin with the shopper's data. By default the widget origin is this port − 1 on
// 127.0.0.1 (as `cargo xtask demo` serves it); `?widget=http://host:port` overrides it.
// The one-tag <doppel-fit> loader replaces this iframe in the widget issue.
const frame = document.getElementById('doppel-frame');
const given = new URLSearchParams(location.search).get('widget');
const widget = given && /^https?:\/\/[^/]+$/.test(given)
  ? given
  : `http://127.0.0.1:${Number(location.port) - 1}`;
frame.src = `${widget}${frame.dataset.appPath}`;
