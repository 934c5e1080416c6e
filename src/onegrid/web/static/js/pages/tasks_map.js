// The task map: the worker's grids from /api/v1/territory/geojson (their scope's only) and the
// open cases of that scope (in the config block) as dots coloured by their light, the colours
// read from the stylesheet's --light-* tokens. A dot opens a popup linking to its case.
import {
  $, apiUrl, config, el, escapeHtml, fetchJson, hideMessage, showMessage, t,
} from '../app.js';
import { createMap } from '../map/view.js';

function token(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function lightColours() {
  return {
    red: token('--light-red'),
    yellow: token('--light-yellow'),
    green: token('--light-green'),
    none: token('--color-muted'),
  };
}

function popup(item) {
  const link = el('a', { href: item.href, class: 'button button--primary' }, t('open_case'));
  return el('div', { class: 'case-popup' },
    el('p', { class: 'case-popup__receipt' }, item.receipt),
    el('p', {}, item.category),
    el('p', { class: 'muted' }, [item.state, item.lightLabel, item.timeLeft].filter(Boolean).join(' · ')),
    link);
}

function drawCases(map) {
  const colours = lightColours();
  const ring = token('--map-point-ring');
  const layer = L.featureGroup();
  for (const item of config.cases) {
    const light = item.light ?? 'none';
    const marker = L.circleMarker([item.lat, item.lon], {
      pane: 'cases', radius: 9, color: ring, weight: 2, fillColor: colours[light], fillOpacity: 1,
      className: `case-marker case-marker--${light}`,
    });
    marker.bindPopup(() => popup(item));
    marker.bindTooltip(escapeHtml(item.receipt), { direction: 'top' });
    marker.addTo(layer);
    marker.on('add', () => {
      const node = marker.getElement();
      if (node) node.dataset.receipt = item.receipt;
    });
  }
  layer.addTo(map);
  return layer;
}

function fit(map, layers) {
  const bounds = L.latLngBounds([]);
  for (const layer of layers) {
    const own = layer.getBounds();
    if (own.isValid()) bounds.extend(own);
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17, animate: false });
}

async function start() {
  const map = createMap();
  window.onegridMap = map; // the browser tests find the map here
  map.createPane('cases').style.zIndex = '650';
  const cases = drawCases(map);
  fit(map, [cases]);
  const status = $('map-status');
  showMessage(status, t('map_loading'));
  let grids;
  try {
    grids = await fetchJson(apiUrl('/territory/geojson', { level: 'grid' }));
  } catch (error) {
    showMessage(status, t('map_error', { detail: error.message }), {
      error: true, retry: () => window.location.reload(),
    });
    return;
  }
  const outline = L.geoJSON(grids, {
    pane: 'grids',
    style: () => ({
      color: token('--map-grid-line'), weight: 2, fillColor: token('--map-grid-fill-1'),
      fillOpacity: 0.15,
    }),
    onEachFeature: (feature, layer) => {
      layer.bindTooltip(escapeHtml(feature.properties.name), { sticky: true, className: 'grid-tip' });
    },
  }).addTo(map);
  fit(map, [outline, cases]);
  hideMessage(status);
  document.body.dataset.gridsLoaded = String(grids.features.length);
}

start();
