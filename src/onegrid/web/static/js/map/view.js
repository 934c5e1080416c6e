// The Leaflet map itself: its panes (a fixed drawing order), the base-map tiles if configured,
// and fitting the district into view. Leaflet (the global L) is self-hosted under /static/vendor.
import { config } from '../app.js';

export function createMap() {
  const map = L.map('map', { zoomControl: true, minZoom: 3, maxZoom: 19 });
  map.attributionControl.setPrefix('Leaflet');
  map.setView([35.0, 105.0], 4);
  // Panes fix the drawing order whatever the layer control does: grids under the outlines.
  for (const [name, zIndex] of [['grids', 410], ['communities', 420], ['streets', 430],
    ['point', 640]]) {
    map.createPane(name).style.zIndex = String(zIndex);
  }
  map.getPane('communities').style.pointerEvents = 'none';
  map.getPane('streets').style.pointerEvents = 'none';
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }
  return map;
}

export function fitDistrict(map, layers) {
  for (const layer of [layers.district, layers.street, layers.grid]) {
    const bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], animate: false });
      map.setMaxBounds(bounds.pad(1.5));
      return;
    }
  }
}
