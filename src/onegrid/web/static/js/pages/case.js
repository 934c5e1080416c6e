// The staff case page: a small map of the case's point in its grid, and the action forms
// sent with fetch, so that a refusal leaves the form as filled, photos too. Photos are made
// smaller in the browser first (the server strips their metadata anyway). The reporter's
// phone is revealed for a purpose (case/reveal.js).
import { $, config, el, signInAgain, t } from '../app.js';
import { smaller } from '../report/photos.js';
import { setUpReveal } from '../case/reveal.js';

const MAX_SIDE = 1600; // pixels: enough to see a defect, small enough for a phone's upload

function token(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function drawMap() {
  const box = $('case-map');
  if (!box || typeof L === 'undefined') return;
  const { lon, lat } = config.point;
  const map = L.map(box, { zoomControl: true, attributionControl: true, scrollWheelZoom: false });
  map.attributionControl.setPrefix('Leaflet');
  map.setView([lat, lon], 16); // a view before any layer: Leaflet draws a shape against it
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  let bounds = L.latLngBounds([[lat, lon], [lat, lon]]);
  if (config.grid) {
    const grid = L.geoJSON(config.grid.geometry, {
      style: () => ({
        color: token('--map-grid-line'), weight: 2, fillColor: token('--map-grid-fill-1'),
        fillOpacity: 0.2, interactive: false,
      }),
    }).addTo(map);
    bounds = grid.getBounds().extend([lat, lon]);
  }
  L.circleMarker([lat, lon], {
    radius: 8, color: token('--map-point-ring'), weight: 2, fillColor: token('--map-selected'),
    fillOpacity: 1, className: 'case-point',
  }).addTo(map);
  map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17, animate: false });
  window.onegridMap = map; // the browser tests find the map here
}

function showError(box, text, { reload = false } = {}) {
  const message = el('p', { class: 'message message--error', role: 'alert' }, text);
  const parts = [message];
  if (reload) {
    const button = el('button', { type: 'button', class: 'button' }, t('reload'));
    button.addEventListener('click', () => window.location.reload());
    message.append(' ', button);
  }
  box.replaceChildren(...parts);
}

async function errorText(response) {
  try {
    const body = await response.json();
    if (body?.error?.message) return body.error.message;
  } catch {
    // not JSON
  }
  return t('error_http', { status: response.status });
}

function listChosen(input) {
  const list = $(`${input.id}-chosen`);
  if (!list) return;
  list.replaceChildren(...Array.from(input.files, (f) => el('li', {}, f.name)));
}

async function send(form) {
  const box = form.querySelector('.action-form__message');
  const button = form.querySelector('button[type="submit"]');
  const input = form.querySelector('input[type="file"]');
  const files = input ? Array.from(input.files) : [];
  if (files.length > config.maxPhotos) {
    showError(box, t('too_many_photos', { n: config.maxPhotos }));
    return;
  }
  button.disabled = true;
  if (files.length) box.replaceChildren(el('p', { class: 'message', role: 'status' }, t('preparing')));
  try {
    const body = new FormData(form);
    body.delete('photos');
    for (const file of files) body.append('photos', await smaller(file, MAX_SIDE), file.name);
    box.replaceChildren(el('p', { class: 'message', role: 'status' }, t('sending')));
    let response;
    try {
      response = await fetch(form.action, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRF-Token': config.csrfToken ?? '' },
      });
    } catch {
      showError(box, t('failed', { detail: t('error_network') }));
      return;
    }
    if (response.status === 401) {
      signInAgain();  // the session ended: sign in, then back to this case
      return;
    }
    if (response.ok) {
      const answer = await response.json();
      window.location.assign(answer.redirect);
      return;
    }
    const detail = await errorText(response);
    if (response.status === 409) {
      showError(box, `${detail} ${t('changed_meanwhile')}`, { reload: true });
    } else {
      showError(box, t('failed', { detail }));
    }
  } finally {
    button.disabled = false;
  }
}

for (const form of document.querySelectorAll('[data-action-form]')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send(form);
  });
  const input = form.querySelector('input[type="file"]');
  if (input) input.addEventListener('change', () => listChosen(input));
}

setUpReveal();

try {
  drawMap();
} catch {
  const box = $('case-map');
  if (box) box.replaceChildren(el('p', { class: 'message message--error' }, t('map_error')));
}
