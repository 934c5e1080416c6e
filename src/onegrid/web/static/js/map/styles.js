// How the map draws units: outlines of streets and communities, grids filled with a colour per
// street, and a grid under the pointer or selected. The colours are the stylesheet's tokens
// (css/tokens.css, --map-*), which the legend shows too.
import { config } from '../app.js';

const PALETTE_SIZE = 12; // --map-grid-fill-1 … -12

function token(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

let built = null;

// Read once the stylesheet has loaded: the first layer is drawn after the map's data arrive.
export function styles() {
  if (built) return built;
  built = {
    street: {
      color: token('--map-street'), weight: 3, opacity: 0.9, fill: false, interactive: false,
    },
    community: {
      color: token('--map-community'), weight: 1.6, opacity: 0.85, dashArray: '6 4', fill: false,
      interactive: false,
    },
    grid: { color: token('--map-grid-line'), weight: 0.7, opacity: 0.9, fillOpacity: 0.32 },
    hover: { color: token('--map-hover'), weight: 2.5, fillOpacity: 0.5 },
    selected: {
      color: token('--map-selected'), weight: 3, fillColor: token('--map-selected-fill'),
      fillOpacity: 0.45,
    },
    point: {
      radius: 7, color: token('--map-point-ring'), weight: 2, fillColor: token('--map-selected'),
      fillOpacity: 1,
    },
    palette: Array.from({ length: PALETTE_SIZE }, (_, i) => token(`--map-grid-fill-${i + 1}`)),
  };
  return built;
}

const streetColors = new Map(); // street code → fill colour of its grids

function streetColor(streetCode) {
  if (!streetColors.has(streetCode)) {
    const { palette } = styles();
    streetColors.set(streetCode, palette[streetColors.size % palette.length]);
  }
  return streetColors.get(streetCode);
}

export function gridStyle(feature) {
  const streetCode = feature.properties.code.slice(0, config.codeLengths.street);
  return { ...styles().grid, fillColor: streetColor(streetCode) };
}
