// Point search: "lon,lat" in a chosen coordinate system, looked up through /api/v1/locate; the
// point is marked and its grid selected.
import { $, apiUrl, escapeHtml, fetchJson, t } from '../app.js';
import { gridLayers, selectGrid } from './selection.js';
import { styles } from './styles.js';

let marker = null;

function parsePoint(text) {
  const match = text.trim().match(/^(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)$/);
  if (!match) return null;
  const [lon, lat] = [Number(match[1]), Number(match[2])];
  return Math.abs(lon) <= 180 && Math.abs(lat) <= 90 ? { lon, lat } : null;
}

function showPoint(map, found) {
  if (marker) marker.remove();
  marker = L.circleMarker([found.lat, found.lon], { pane: 'point', ...styles().point })
    .bindTooltip(escapeHtml(t('search_point'))).addTo(map);
}

async function locate(map, event) {
  event.preventDefault();
  const message = $('locate-message');
  message.classList.remove('error');
  const point = parsePoint($('locate-input').value);
  if (!point) {
    message.classList.add('error');
    message.textContent = t('search_invalid');
    return;
  }
  try {
    const found = await fetchJson(apiUrl('/locate', { ...point, crs: $('locate-crs').value }));
    message.textContent = t('search_found', {
      grid: found.grid.name, community: found.community.name, street: found.street.name,
    });
    showPoint(map, found);
    const layer = gridLayers.get(found.grid.code);
    // The grid with its neighbours around it, not the grid filling the whole map.
    if (layer) map.fitBounds(layer.getBounds().pad(1.5), { maxZoom: 18 });
    selectGrid(found.grid.code);
  } catch (error) {
    message.classList.add('error');
    message.textContent = t('error_locate', { detail: error.message });
  }
}

export function enableLocate(map) {
  $('locate-form').addEventListener('submit', (event) => locate(map, event));
}
