// /hotline: the form works without this script; it adds the map picker and the category
// search (static/js/report/, the report form's parts), and keeps a call from being sent twice
// (the form's Idempotency-Key saves it once anyway).
import { $ } from '../app.js';
import { initCategoryPicker } from '../report/category_picker.js';
import { initMapPicker } from '../report/map_picker.js';

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

initMapPicker();
initCategoryPicker();
sendOnce();
