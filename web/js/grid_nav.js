// Arrow-key movement over a grid of tiles, shared by the review grid and the gallery: ←/→ one tile, ↑/↓ one row.

// How many tiles a row of the grid holds, from where the tiles are laid out (the first row's).
export function gridColumns(tiles) {
  if (!tiles.length) return 1;
  const top = tiles[0].offsetTop;
  const n = tiles.findIndex((t) => t.offsetTop !== top);
  return n < 0 ? tiles.length : n;
}

// The index an arrow key moves to from `index` in a grid of `count` tiles, `columns` a row (kept inside the grid);
// undefined for any other key.
export function arrowTarget(key, index, columns, count) {
  const delta = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns }[key];
  if (delta === undefined) return undefined;
  return Math.max(0, Math.min(count - 1, index + delta));
}
