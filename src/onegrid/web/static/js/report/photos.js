// The photo uploader (components/report_form.html photo_uploader): up to `max` photos, each
// made smaller in the browser (a JPEG whose longer side is at most `side` pixels) and shown as
// a thumbnail with a remove button. The file input itself holds the chosen photos, so that the
// form sends them however it is sent (fetch, the offline queue, or a plain post).
import { $, el, t } from '../app.js';

const QUALITY = 0.85;
const THUMB = 176; // pixels: two of the 88-pixel squares, sharp on a phone's screen

let chosen = []; // [{ file, url }]: the file to send, its thumbnail's data: address
let input = null;
let max = 6;
let side = 1600;

// A smaller JPEG of a large photo; the file itself if it is small or cannot be decoded here.
export async function smaller(file, maxSide = side) {
  if (!file.type.startsWith('image/') || typeof createImageBitmap !== 'function') return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return file; // the server will say what is wrong with it
  }
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && file.size < 1_500_000) {
    bitmap.close();
    return file;
  }
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => { canvas.toBlob(resolve, 'image/jpeg', QUALITY); });
  if (!blob) return file;
  const name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
  return new File([blob], name, { type: 'image/jpeg' });
}

// A small picture of the photo, as a data: address (the pages' CSP loads no blob: images).
async function thumbnail(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, THUMB / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return canvas.toDataURL('image/jpeg', 0.7);
  } catch {
    return ''; // undecodable here: the server will say so; the name stands for it
  }
}

function syncInput() {
  const transfer = new DataTransfer();
  for (const { file } of chosen) transfer.items.add(file);
  input.files = transfer.files;
}

function render() {
  const list = $('photo-list');
  list.replaceChildren(...chosen.map(({ file, url }, i) => {
    const remove = el('button', {
      type: 'button', class: 'button report-photos__remove',
      'aria-label': t('photo_remove', { n: i + 1 }),
    }, '×');
    remove.addEventListener('click', () => {
      chosen.splice(i, 1);
      syncInput();
      render();
    });
    return el('li', { class: 'report-photos__item' },
      el('img', { src: url, alt: t('photo_alt', { n: i + 1 }), title: file.name }), remove);
  }));
  $('photos-status').textContent = chosen.length ? t('photos_count', { n: chosen.length }) : '';
}

async function added() {
  const picked = [...input.files].filter((file) => !chosen.some((c) => c.file === file));
  const room = max - chosen.length;
  const status = $('photos-status');
  for (const file of picked.slice(0, Math.max(room, 0))) {
    const kept = await smaller(file);
    chosen.push({ file: kept, url: await thumbnail(kept) });
  }
  syncInput();
  render();
  if (picked.length > room) status.textContent = t('photos_too_many', { n: max });
}

// Empties the uploader (after the report was sent or queued).
export function clearPhotos() {
  chosen = [];
  if (input) syncInput();
  if (input) render();
}

export function initPhotos() {
  const box = document.querySelector('[data-photo-uploader]');
  if (!box || typeof DataTransfer !== 'function') return;
  max = Number(box.dataset.max) || max;
  side = Number(box.dataset.side) || side;
  input = $('photo-input');
  input.addEventListener('change', () => { added(); });
  box.classList.add('report-photos--enhanced');
}
