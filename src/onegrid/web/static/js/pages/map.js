// The district map page: streets, communities and grids from /api/v1/territory/geojson, a
// grid's people in the panel, point search, and revealing a phone for roles that may.
import { enableLocate } from '../map/locate.js';
import { loadLayers } from '../map/layers.js';
import { clearSelection, hasSelection } from '../map/selection.js';
import { createMap } from '../map/view.js';

const map = createMap();
window.onegridMap = map; // the browser tests find the map here
enableLocate(map);
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && hasSelection()) clearSelection();
});
loadLayers(map);
