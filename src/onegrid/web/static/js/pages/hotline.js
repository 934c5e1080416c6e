// /hotline: the form works without this script; it narrows the category list as the operator
// types (a name or a code), and keeps a call from being sent twice.
import { $, t } from '../app.js';

function matches(option, words) {
  const text = option.textContent.toLowerCase();
  return words.every((word) => text.includes(word));
}

function filterCategories() {
  const finder = $('category-finder');
  const filter = $('category-filter');
  const select = $('category_code');
  if (!finder || !filter || !select) return;
  finder.hidden = false;
  const count = $('category-count');
  const update = () => {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    let only = null;
    for (const group of select.querySelectorAll('optgroup')) {
      let inGroup = 0;
      for (const option of group.querySelectorAll('option')) {
        const show = matches(option, words) || option.selected;
        option.hidden = !show;
        if (show) {
          inGroup += 1;
          only = option;
        }
      }
      group.hidden = inGroup === 0;
      shown += inGroup;
    }
    if (shown === 1 && only && !select.value) only.selected = true;
    count.textContent = words.length && shown === 0 ? t('category_none') : '';
  };
  filter.addEventListener('input', update);
  filter.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault(); // Enter in the search box picks, it does not send the call
      select.focus();
    }
  });
}

function sendOnce() {
  const form = $('call-form');
  if (!form) return;
  form.addEventListener('submit', (event) => {
    const button = $('save-call');
    if (button.disabled) {
      event.preventDefault();
      return;
    }
    button.disabled = true;
  });
}

filterCategories();
sendOnce();
