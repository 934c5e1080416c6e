// The district's layers from /api/v1/territory/geojson: streets, communities and grids, the
// layer control, the counts and the district's name.
import {
  $, apiUrl, config, counted, escapeHtml, fetchJson, hideMessage, showMessage, t,
} from '../app.js';
import { gridLayers, isSelected, selectFromHash, selectGrid } from './selection.js';
import { gridStyle, styles } from './styles.js';
import { fitDistrict } from './view.js';

const LEVELS = Object.keys(config.codeLengths); // district first, as core/levels.py has them

function outlineLayer(collection, pane, style, labelClass) {
  return L.geoJSON(collection, {
    pane,
    style: () => style,
    onEachFeature: (feature, layer) => {
      if (labelClass) {
        layer.bindTooltip(escapeHtml(feature.properties.name), {
          permanent: true, direction: 'center', className: labelClass,
        });
      }
    },
  });
}

function highlight(layer, on) {
  if (isSelected(layer)) return;
  if (on) {
    layer.setStyle(styles().hover);
    layer.bringToFront();
  } else {
    layer.setStyle(gridStyle(layer.feature));
  }
}

function gridLayer(collection) {
  return L.geoJSON(collection, {
    pane: 'grids',
    style: gridStyle,
    onEachFeature: (feature, layer) => {
      gridLayers.set(feature.properties.code, layer);
      layer.bindTooltip(escapeHtml(feature.properties.name), { sticky: true, className: 'grid-tip' });
      layer.on({
        mouseover: () => highlight(layer, true),
        mouseout: () => highlight(layer, false),
        click: () => selectGrid(feature.properties.code),
      });
    },
  });
}

function addLayerControl(map, layers) {
  const label = (key, count) =>
    `${escapeHtml(t(key))} <span class="layer-count">(${count})</span>`;
  L.control.layers(null, {
    [label('layer_streets', layers.street.getLayers().length)]: layers.street,
    [label('layer_communities', layers.community.getLayers().length)]: layers.community,
    [label('layer_grids', layers.grid.getLayers().length)]: layers.grid,
  }, { collapsed: window.matchMedia('(max-width: 760px)').matches, position: 'topright' })
    .addTo(map);
}

function showCounts(collections) {
  const grids = collections.grid.features.length;
  const count = $('grid-count');
  count.dataset.count = String(grids);
  count.textContent = counted('grid_count', grids);
  $('community-count').textContent = counted('community_count', collections.community.features.length);
  $('street-count').textContent = counted('street_count', collections.street.features.length);
}

function showDistrict(collections) {
  const names = collections.district.features.map((f) => f.properties.name);
  $('district-name').textContent = names.join('、') || t('page_title');
  const all = Object.values(collections).flatMap((c) => c.features);
  $('demo-banner').hidden = !all.some((f) => f.properties.demo === true);
}

function drawLayers(map, collections) {
  const layers = {
    district: L.geoJSON(collections.district),
    street: outlineLayer(collections.street, 'streets', styles().street, 'street-label'),
    community: outlineLayer(collections.community, 'communities', styles().community, null),
    grid: gridLayer(collections.grid),
  };
  for (const level of ['grid', 'community', 'street']) layers[level].addTo(map);
  addLayerControl(map, layers);
  showCounts(collections);
  showDistrict(collections);
  fitDistrict(map, layers);
  if (collections.grid.features.length === 0) {
    showMessage($('map-status'), t('no_data'));
  } else {
    hideMessage($('map-status'));
    selectFromHash();
  }
}

export async function loadLayers(map) {
  const status = $('map-status');
  showMessage(status, t('loading'));
  let collections;
  try {
    const documents = await Promise.all(
      LEVELS.map((level) => fetchJson(apiUrl('/territory/geojson', { level }))));
    collections = Object.fromEntries(LEVELS.map((level, i) => [level, documents[i]]));
  } catch (error) {
    $('district-name').textContent = t('page_title');
    $('grid-count').textContent = '—';
    const retry = () => window.location.reload();
    showMessage(status, t('error_layers', { detail: error.message }), { error: true, retry });
    return;
  }
  drawLayers(map, collections);
}
