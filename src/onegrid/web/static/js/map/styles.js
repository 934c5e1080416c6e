// How the map draws units: outlines of streets and communities, grids filled with a colour per
// street, and a grid under the pointer or selected.
import { config } from '../app.js';

const PALETTE = [
  '#74a9e0', '#f2b27a', '#86c99a', '#c3a1e0', '#ef9aa6', '#6fc3c0',
  '#e3c86b', '#a4aee6', '#d4ab85', '#9cc77d', '#e59bd0', '#8fb8c9',
];

export const STYLES = {
  street: { color: '#1d2b3a', weight: 3, opacity: 0.9, fill: false, interactive: false },
  community: {
    color: '#3d5a80', weight: 1.6, opacity: 0.85, dashArray: '6 4', fill: false,
    interactive: false,
  },
  grid: { color: '#52677d', weight: 0.7, opacity: 0.9, fillOpacity: 0.32 },
  hover: { color: '#e8590c', weight: 2.5, fillOpacity: 0.5 },
  selected: { color: '#c92a2a', weight: 3, fillColor: '#ff8787', fillOpacity: 0.45 },
  point: { radius: 7, color: '#ffffff', weight: 2, fillColor: '#c92a2a', fillOpacity: 1 },
};

const streetColors = new Map(); // street code → fill colour of its grids

function streetColor(streetCode) {
  if (!streetColors.has(streetCode)) {
    streetColors.set(streetCode, PALETTE[streetColors.size % PALETTE.length]);
  }
  return streetColors.get(streetCode);
}

export function gridStyle(feature) {
  const streetCode = feature.properties.code.slice(0, config.codeLengths.street);
  return { ...STYLES.grid, fillColor: streetColor(streetCode) };
}
