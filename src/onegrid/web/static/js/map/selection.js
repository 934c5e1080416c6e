// The selected grid: drawn as selected, kept in the URL's #fragment (so that it survives the
// language switch), and its details fetched from /api/v1/territory/units/{code} into the panel.
import { $, apiUrl, fetchJson, t } from '../app.js';
import { showGrid, showHint, showLoading, showUnitError } from './panel.js';
import { gridStyle, styles } from './styles.js';

export const gridLayers = new Map(); // grid code → Leaflet polygon
let selected = null;
let request = 0;

export const isSelected = (layer) => layer === selected;
export const hasSelection = () => selected !== null;

function rememberSelection(code) {
  const hash = code ? `#${code}` : '';
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${hash}`);
  // A visitor's switch is a link; a signed-in user's, a form that comes back to `next`.
  const link = $('lang-switch');
  const next = link.form?.elements.next;
  if (next) next.value = `${next.value.split('#')[0]}${hash}`;
  else link.href = `${link.getAttribute('href').split('#')[0]}${hash}`;
}

function markSelected(code) {
  if (selected) selected.setStyle(gridStyle(selected.feature));
  selected = gridLayers.get(code) ?? null;
  if (selected) {
    selected.setStyle(styles().selected);
    selected.bringToFront();
  }
}

export async function selectGrid(code) {
  markSelected(code);
  rememberSelection(code);
  const ticket = ++request;
  showLoading(clearSelection);
  try {
    const unit = await fetchJson(apiUrl(`/territory/units/${encodeURIComponent(code)}`));
    if (ticket === request) showGrid(unit, clearSelection);
  } catch (error) {
    if (ticket === request) showUnitError(t('error_unit', { detail: error.message }), clearSelection);
  }
}

export function clearSelection() {
  markSelected(null);
  rememberSelection(null);
  request += 1;
  showHint();
}

export function selectFromHash() {
  const code = decodeURIComponent(window.location.hash.slice(1));
  if (gridLayers.has(code)) selectGrid(code);
}
