// The category picker (components/report_form.html category_picker): a search box that
// narrows the grouped <select> (部件/事件) to the categories matching every typed word, in
// Chinese or English, and the chosen category's attributes shown (the others disabled, so
// that only its values are sent).
import { $, t } from '../app.js';

function words(text) {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

function filter(select, query) {
  const wanted = words(query);
  let shown = 0;
  for (const group of select.querySelectorAll('optgroup')) {
    let inGroup = 0;
    for (const option of group.querySelectorAll('option')) {
      const text = `${option.dataset.keywords ?? ''} ${option.textContent.toLowerCase()}`;
      const match = wanted.every((word) => text.includes(word));
      // Hidden options stay in the list on some phones: disabled as well, never chosen.
      option.hidden = !match;
      option.disabled = !match;
      if (match) inGroup += 1;
    }
    group.hidden = inGroup === 0;
    shown += inGroup;
  }
  $('category-none').textContent = shown === 0 ? t('category_none') : '';
  // One match, or a code typed in full: chosen at once.
  const left = [...select.querySelectorAll('option:not([disabled])')].filter((o) => o.value);
  const exact = left.find((option) => option.value.toLowerCase() === query.trim().toLowerCase());
  const pick = exact ?? (wanted.length && left.length === 1 ? left[0] : null);
  if (pick && select.value !== pick.value) {
    select.value = pick.value;
    select.dispatchEvent(new Event('change'));
  }
}

export function showAttributes(code) {
  for (const box of document.querySelectorAll('.report-attributes')) {
    const active = box.dataset.category === code;
    box.hidden = !active;
    for (const input of box.querySelectorAll('input, select, textarea')) input.disabled = !active;
  }
}

export function initCategoryPicker() {
  const select = $('category-code');
  if (!select) return;
  const search = $('category-search');
  search.closest('label').hidden = false;
  search.addEventListener('input', () => filter(select, search.value));
  select.addEventListener('change', () => {
    showAttributes(select.value);
    select.removeAttribute('aria-invalid');
  });
  showAttributes(select.value);
}
