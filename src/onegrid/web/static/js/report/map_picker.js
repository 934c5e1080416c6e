// The map picker (components/report_form.html map_picker): a pin on a Leaflet map to click or
// drag, "use my location" (the browser's geolocation: WGS-84), and the typed coordinates in
// their named system. Each point is looked up through /api/v1/locate, which names its grid,
// or says that it is outside the district, on the field, before the form is sent.
import { $, apiUrl, t } from '../app.js';

const DECIMALS = 6; // about 0.1 m: more than a phone's GPS can tell

let map = null;
let pin = null;
let asked = 0; // the latest lookup: an earlier answer arriving late is dropped

function showError(text) {
  const box = $('location-error') ?? createErrorBox();
  box.textContent = text;
  box.hidden = !text;
  for (const id of ['report-lon', 'report-lat']) {
    const input = $(id);
    if (text) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

function createErrorBox() {
  const box = document.createElement('p');
  box.id = 'location-error';
  box.className = 'message message--error field-error';
  box.setAttribute('role', 'alert');
  $('location-status').after(box);
  for (const id of ['report-lon', 'report-lat']) {
    const input = $(id);
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby')} location-error`);
  }
  return box;
}

function token(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function setStatus(text) {
  $('location-status').textContent = text;
}

function placePin(lat, lon) {
  if (!map) return;
  if (pin) {
    pin.setLatLng([lat, lon]);
  } else {
    const icon = L.divIcon({ className: 'report-pin', iconSize: [22, 22], iconAnchor: [11, 22] });
    pin = L.marker([lat, lon], { icon, draggable: true, keyboard: false, title: t('map_label') })
      .addTo(map);
    pin.on('dragend', () => {
      const at = pin.getLatLng();
      choose(at.lng, at.lat);
    });
  }
}

// The point as typed (or picked), in its system: the server answers with it in WGS-84.
async function lookUp(lon, lat, crs) {
  const ticket = ++asked;
  setStatus('');
  let response;
  try {
    response = await fetch(apiUrl('/locate', { lon, lat, crs }), {
      headers: { Accept: 'application/json' },
    });
  } catch {
    return; // offline: the point is kept and checked when the report is sent
  }
  if (ticket !== asked) return;
  if (!response.ok) {
    let message = t('location_missing');
    try {
      message = (await response.json())?.error?.message ?? message;
    } catch {
      // not JSON: the generic message
    }
    showError(message);
    return;
  }
  const found = await response.json();
  showError('');
  setStatus(t('location_found', {
    grid: found.grid.name, community: found.community.name, street: found.street.name,
  }));
  placePin(found.lat, found.lon);
  if (map && !map.getBounds().contains([found.lat, found.lon])) {
    map.setView([found.lat, found.lon], Math.max(map.getZoom(), 16));
  }
}

// A point in WGS-84 (the map, the phone's position): written into the fields, then checked.
export function choose(lon, lat) {
  $('report-lon').value = lon.toFixed(DECIMALS);
  $('report-lat').value = lat.toFixed(DECIMALS);
  $('report-crs').value = 'wgs84';
  placePin(lat, lon);
  lookUp(lon, lat, 'wgs84');
}

function typed() {
  const lon = Number($('report-lon').value.trim());
  const lat = Number($('report-lat').value.trim());
  if (!$('report-lon').value.trim() || !$('report-lat').value.trim()) return;
  if (!Number.isFinite(lon) || !Number.isFinite(lat)) {
    showError(t('location_number'));
    return;
  }
  lookUp(lon, lat, $('report-crs').value);
}

export function useMyLocation() {
  if (!('geolocation' in navigator)) {
    setStatus(t('location_denied'));
    return;
  }
  setStatus(t('locating'));
  navigator.geolocation.getCurrentPosition(
    (position) => {
      choose(position.coords.longitude, position.coords.latitude);
      if (map) map.setView([position.coords.latitude, position.coords.longitude], 17);
    },
    () => setStatus(t('location_denied')),
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
  );
}

const NAMES_FROM_ZOOM = 13;

function drawMap(box, settings) {
  if (typeof L === 'undefined') return;
  box.hidden = false;
  map = L.map(box, { zoomControl: true, minZoom: 3, maxZoom: 19, zoomSnap: 0.25 });
  map.attributionControl.setPrefix('Leaflet');
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 })
      .addTo(map);
  }
  if (settings.bounds) {
    const [west, south, east, north] = settings.bounds;
    const district = L.latLngBounds([[south, west], [north, east]]);
    // The district drawn (its outline, or its extent): without base-map tiles it is what
    // shows where a point may be.
    const line = { color: token('--map-street'), weight: 2, fill: false, interactive: false };
    if (settings.outline) {
      // The district's outline and its streets', each street named at its middle.
      const street = { ...line, weight: 1, dashArray: '4 3' };
      L.geoJSON(settings.outline, {
        style: (feature) => (feature.properties.level === 'street' ? street : line),
        interactive: false,
        onEachFeature: (feature, layer) => {
          if (feature.properties.level !== 'street') return;
          layer.bindTooltip(feature.properties.name, {
            permanent: true, direction: 'center', className: 'street-label',
          });
        },
      }).addTo(map);
    } else {
      L.rectangle(district, { ...line, dashArray: '6 4' }).addTo(map);
    }
    map.fitBounds(district, { padding: [24, 24], animate: false });
    map.setMaxBounds(district.pad(1));
  } else {
    map.setView([35.0, 105.0], 4);
  }
  map.on('click', (event) => choose(event.latlng.lng, event.latlng.lat));
  // Street names once they have room: from the whole district at a phone's width they overlap.
  const nameStreets = () => box.classList.toggle('map-picker--far', map.getZoom() < NAMES_FROM_ZOOM);
  map.on('zoomend', nameStreets);
  nameStreets();
  window.onegridMap = map; // the browser tests find the map here
}

export function initMapPicker() {
  const fieldset = document.querySelector('[data-map-picker]');
  if (!fieldset) return;
  const settings = JSON.parse(fieldset.dataset.map || '{}');
  drawMap($('report-map'), settings);
  const button = $('use-location');
  if ('geolocation' in navigator) {
    button.hidden = false;
    button.addEventListener('click', useMyLocation);
  }
  for (const id of ['report-lon', 'report-lat', 'report-crs']) {
    $(id).addEventListener('change', typed);
  }
  const lon = Number($('report-lon').value);
  const lat = Number($('report-lat').value);
  if ($('report-lon').value && Number.isFinite(lon) && Number.isFinite(lat)) {
    typed(); // a form shown again: its point on the map
  } else if ('locateOnLoad' in fieldset.dataset) {
    useMyLocation();
  }
}
