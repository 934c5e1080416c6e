// /console: move between the rows with the keys (j / ArrowDown next, k / ArrowUp previous,
// Enter opens the row's case, x ticks it, / goes to the search box), and keep htmx's refresh of
// the list (every few seconds) from undoing what the user is doing: no refresh while a case is
// ticked, and the row that had the focus gets it back after one.
const SELECTED = 'console-row--current';

const rows = () => Array.from(document.querySelectorAll('#console-list .console-row'));
const ticked = () => document.querySelectorAll('#console-list .console-row__pick:checked').length;

function current() {
  return document.querySelector(`#console-list .${SELECTED}`);
}

function choose(row) {
  if (!row) return;
  current()?.classList.remove(SELECTED);
  row.classList.add(SELECTED);
  const link = row.querySelector('.console-row__link');
  link.focus();
  link.scrollIntoView({ block: 'nearest' });
}

function step(by) {
  const all = rows();
  if (!all.length) return;
  const at = all.indexOf(current());
  const next = at < 0 ? (by > 0 ? 0 : all.length - 1) : Math.min(Math.max(at + by, 0), all.length - 1);
  choose(all[next]);
}

function typing(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)
      && !(target.tagName === 'INPUT' && target.type === 'checkbox'));
}

document.addEventListener('keydown', (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
  if (event.key === '/') {
    event.preventDefault();
    document.getElementById('f-q')?.focus();
  } else if (event.key === 'j' || event.key === 'ArrowDown') {
    if (!rows().length) return;
    event.preventDefault();
    step(1);
  } else if (event.key === 'k' || event.key === 'ArrowUp') {
    if (!rows().length) return;
    event.preventDefault();
    step(-1);
  } else if (event.key === 'x') {
    const box = current()?.querySelector('.console-row__pick');
    if (box) {
      event.preventDefault();
      box.checked = !box.checked;
    }
  }
});

// A row clicked or focused by Tab becomes the current row too.
document.addEventListener('focusin', (event) => {
  const row = event.target instanceof Element ? event.target.closest('#console-list .console-row') : null;
  if (row && !row.classList.contains(SELECTED)) {
    current()?.classList.remove(SELECTED);
    row.classList.add(SELECTED);
  }
});

let keep = null; // the receipt of the current row across a refresh, and whether it had focus

document.addEventListener('htmx:beforeRequest', (event) => {
  if (event.detail.elt?.id !== 'console-live') return;
  if (ticked() > 0 || document.hidden) {
    event.preventDefault();
    return;
  }
  const row = current();
  keep = row ? { receipt: row.dataset.receipt, focused: row.contains(document.activeElement) } : null;
});

document.addEventListener('htmx:afterSwap', () => {
  if (!keep) return;
  const row = rows().find((r) => r.dataset.receipt === keep.receipt);
  if (row) {
    row.classList.add(SELECTED);
    if (keep.focused) row.querySelector('.console-row__link').focus({ preventScroll: true });
  }
  keep = null;
});
