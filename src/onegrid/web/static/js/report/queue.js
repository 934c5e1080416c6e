// The offline queue of reports: a report the network could not carry is kept in the browser
// (IndexedDB: its fields and its photos, already made smaller) and sent when the browser is
// back online, on the page's next load, or on the next retry. Each report carries the
// Idempotency-Key made when its form was opened, so a report sent twice (the answer was lost,
// two tabs sent it) still opens one case: the server answers the second with the same receipt.
import { config, signInAgain } from '../app.js';

const DB_NAME = 'onegrid-reports';
const STORE = 'unsent';
const RETRY_MS = 15000;

let opened = null;
let flushing = null;
const listeners = new Set();

function database() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

async function withStore(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = () => reject(tx.error);
  });
}

// The unsent reports of this form (its address without the query).
export async function unsent(action) {
  const all = (await withStore('readonly', (store) => store.getAll())) ?? [];
  return all.filter((entry) => entry.action === action);
}

async function changed(action) {
  const count = (await unsent(action)).length;
  for (const listener of listeners) listener(count);
}

export function onCount(listener) {
  listeners.add(listener);
}

// Keeps a report that could not be sent: its key, where it goes, and the form's entries.
// Not the CSRF token: it is this session's, and the report may be sent in the next one.
export async function keep(action, key, formData) {
  const fields = [...formData.entries()].filter(([name]) => name !== 'csrf_token');
  await withStore('readwrite', (store) => store.put({ key, action, fields, at: Date.now() }));
  await changed(action);
}

async function forget(action, key) {
  await withStore('readwrite', (store) => store.delete(key));
  await changed(action);
}

// Sends a report once: { ok, status, body } on an answer; throws when the network fails.
export async function send(url, key, formData) {
  const response = await fetch(url, {
    method: 'POST',
    body: formData,
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      'Idempotency-Key': key,
      'X-CSRF-Token': config.csrfToken ?? '', // the session's now (none without an account)
    },
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: the status says enough
  }
  return { ok: response.ok, status: response.status, body };
}

function formOf(fields) {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
}

// Sends every unsent report of this form, one after another; `done(entry, answer)` hears of
// each one the server answered (a receipt, or a refusal: a refused report is not retried).
export function flush(action, url, done) {
  flushing ??= (async () => {
    try {
      for (const entry of await unsent(action)) {
        let answer;
        try {
          answer = await send(url, entry.key, formOf(entry.fields));
        } catch {
          return; // still offline: kept for the next time
        }
        if (answer.status >= 500 || answer.status === 408 || answer.status === 429) return;
        if (answer.status === 401 || answer.status === 403) {
          // The session ended, or this page's is another's: kept, sent on the page's load
          // once signed in again.
          signInAgain();
          return;
        }
        await forget(action, entry.key);
        done(entry, answer);
      }
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

// Sends the unsent reports now, when the browser is back online, and every little while.
export function start(action, url, done) {
  const run = () => flush(action, url, done).catch(() => {});
  window.addEventListener('online', run);
  setInterval(async () => {
    if ((await unsent(action)).length) run();
  }, RETRY_MS);
  changed(action).then(run);
}
