// /admin/routing: the preview form works without this script; it adds a map of the district
// to click: the point clicked goes into the longitude and latitude fields and the preview is
// asked at once (the server says which department, and which rule decided).
import { $, config } from '../app.js';

const DECIMALS = 6;

function token(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function pinAt(map, lat, lon) {
  const icon = L.divIcon({ className: 'report-pin', iconSize: [22, 22], iconAnchor: [11, 22] });
  return L.marker([lat, lon], { icon, keyboard: false, interactive: false }).addTo(map);
}

function drawMap(box, settings) {
  if (typeof L === 'undefined') return;
  box.hidden = false;
  const map = L.map(box, { zoomControl: true, minZoom: 3, maxZoom: 19, zoomSnap: 0.25 });
  map.attributionControl.setPrefix('Leaflet');
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { attribution: settings.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  const line = { color: token('--map-street'), weight: 2, fill: false, interactive: false };
  if (settings.outline) {
    L.geoJSON(settings.outline, {
      style: (f) => (f.properties.level === 'street' ? { ...line, weight: 1, dashArray: '4 3' } : line),
      interactive: false,
    }).addTo(map);
  }
  if (settings.bounds) {
    const [west, south, east, north] = settings.bounds;
    map.fitBounds([[south, west], [north, east]], { padding: [16, 16], animate: false });
  } else {
    map.setView([35.0, 105.0], 4);
  }
  const lon = Number($('preview-lon').value);
  const lat = Number($('preview-lat').value);
  if ($('preview-lon').value && Number.isFinite(lon) && Number.isFinite(lat)) {
    pinAt(map, lat, lon);
  }
  map.on('click', (event) => {
    $('preview-lon').value = event.latlng.lng.toFixed(DECIMALS);
    $('preview-lat').value = event.latlng.lat.toFixed(DECIMALS);
    pinAt(map, event.latlng.lat, event.latlng.lng);
    if ($('preview-category').value) $('preview-form').requestSubmit();
  });
  // The page's fonts and layout may settle after the map is drawn: measure its box again.
  window.addEventListener('load', () => map.invalidateSize({ animate: false }));
  window.onegridMap = map; // the browser tests find the map here
}

const box = $('preview-map');
if (box) drawMap(box, config.map || {});
