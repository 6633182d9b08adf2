// The shop's own script: it only ever learns the size the shopper chose to send.
document.addEventListener('doppel-size', (e) => {
  const { product, size } = e.detail;
  const select = document.getElementById('size');
  if (![...select.options].some((o) => o.value === size || o.text === size)) {
    select.add(new Option(size, size));
  }
  select.value = size;
  document.getElementById('chosen').textContent = `doppel suggests size ${size} for ${product}.`;
});
