// /report and /patrol: the report form (components/report_form.html) sent by fetch with an
// Idempotency-Key made when the form was opened; kept in the browser while offline and sent
// once the network is back (report/queue.js), with the count of unsent reports shown.
// Without this script the form posts as it is, and the server answers with a page.
import { $, config, counted, el, t } from '../app.js';
import { initCategoryPicker } from '../report/category_picker.js';
import { initMapPicker } from '../report/map_picker.js';
import { clearPhotos, initPhotos } from '../report/photos.js';
import * as queue from '../report/queue.js';

const form = $('report-form');
const action = config.queue;
const url = form.action;

const FIELDS = {
  location: 'report-lon',
  category_code: 'category-code',
  description: 'description',
  photos: 'photo-input',
  reporter_name: 'reporter-name',
  reporter_phone: 'reporter-phone',
};

function newKey() {
  if (window.crypto?.randomUUID) $('idempotency-key').value = window.crypto.randomUUID();
}

function showCount(count) {
  const box = $('queue-status');
  box.hidden = count === 0;
  box.textContent = count ? counted('queue_count', count) : '';
}

function notice(...parts) {
  const box = $('notifications');
  box.replaceChildren(el('p', { class: 'message message--notice', role: 'status' }, ...parts));
}

function sentLater(entry, answer) {
  if (answer.ok && answer.body?.receipt) {
    const link = el('a', { href: answer.body.href }, answer.body.receipt);
    const [before, after] = t('queue_sent', { receipt: '\u0000' }).split('\u0000');
    notice(before, link, after ?? '');
  } else {
    notice(t('queue_refused', { message: answer.body?.error?.message ?? answer.status }));
  }
}

function fieldOf(name) {
  if (!name) return null;
  if (name.startsWith('attr.')) return form.querySelector(`[name="${CSS.escape(name)}"]:not([disabled])`);
  return $(FIELDS[name] ?? '');
}

function refused(answer) {
  const box = $('send-error');
  box.textContent = answer.body?.error?.message ?? t('error_http', { status: answer.status });
  box.hidden = false;
  for (const marked of form.querySelectorAll('[aria-invalid="true"]')) {
    marked.removeAttribute('aria-invalid');
  }
  const field = fieldOf(answer.body?.error?.detail?.field);
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  } else {
    box.scrollIntoView({ block: 'center' });
  }
}

// Ready for the next report: the place kept (the pin stays where it was), the rest emptied.
function reset() {
  const kept = ['report-lon', 'report-lat', 'report-crs'].map((id) => [id, $(id).value]);
  form.reset();
  for (const [id, value] of kept) $(id).value = value;
  $('category-code').dispatchEvent(new Event('change'));
  $('anonymous')?.dispatchEvent(new Event('change'));
  clearPhotos();
  newKey();
}

async function submit(event) {
  event.preventDefault();
  if (!form.reportValidity()) return;
  const button = $('report-submit');
  const key = $('idempotency-key').value;
  const data = new FormData(form);
  button.disabled = true;
  button.textContent = t('sending');
  $('send-error').hidden = true;
  try {
    const answer = await queue.send(url, key, data);
    if (answer.ok) {
      window.location.assign(answer.body.href);
      return;
    }
    if (answer.status >= 500) throw new Error('server');
    refused(answer);
  } catch {
    // No network (or the server failed): kept here and sent later, once.
    await queue.keep(action, key, data);
    reset();
    notice(t('queue_saved'));
  } finally {
    button.disabled = false;
    button.textContent = t('submit');
  }
}

function anonymousToggle() {
  const box = $('anonymous');
  if (!box) return;
  const apply = () => {
    for (const input of $('reporter-fields').querySelectorAll('input')) input.disabled = box.checked;
  };
  box.addEventListener('change', apply);
  apply();
}

newKey();
initMapPicker();
initCategoryPicker();
initPhotos();
anonymousToggle();
queue.onCount(showCount);
form.addEventListener('submit', submit);
queue.start(action, url, sentLater);
