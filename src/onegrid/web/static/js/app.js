// What every page's script needs: the page's configuration and strings, API calls (with the
// session's CSRF token on changes), messages in the page language, and element helpers.
// Plain ES modules, no build step. Data always goes into the page as text, never as HTML.

const configBlock = document.getElementById('onegrid-config');

// The page's JSON block `onegrid-config`: lang, api, csrfToken, strings, and the page's own.
export const config = configBlock ? JSON.parse(configBlock.textContent) : { strings: {} };

export const $ = (id) => document.getElementById(id);

// ---- strings ------------------------------------------------------------------------------

export function t(key, params = {}) {
  const text = config.strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
}

// "{n} grids", or the key's _one form ("{n} grid") when n is 1.
export function counted(key, n) {
  return t(n === 1 ? `${key}_one` : key, { n });
}

// ---- the API ------------------------------------------------------------------------------

export function apiUrl(path, params = {}) {
  const url = new URL(config.api + path, window.location.origin);
  url.searchParams.set('lang', config.lang);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body?.error?.message) return body.error.message;
    if (typeof body?.detail === 'string') return body.detail;
  } catch {
    // not JSON: fall through to the status
  }
  return t('error_http', { status: response.status });
}

// A request whose session has ended (401): to the sign-in form, and back to this page after.
export function signInAgain() {
  const login = document.querySelector('meta[name="onegrid-sign-in"]')?.content ?? '/login';
  const root = login.slice(0, -'/login'.length);
  const here = window.location.pathname.slice(root.length) + window.location.search;
  const lang = config.lang ?? document.documentElement.lang.slice(0, 2);
  window.location.assign(`${login}?next=${encodeURIComponent(here)}&lang=${lang}`);
}

// The body of a JSON answer; otherwise throws an Error in the page language (with .status
// when the server answered); a 401 (the session ended) goes to sign in first.
async function requestJson(url, init = {}) {
  let response;
  try {
    response = await fetch(url, {
      ...init, headers: { Accept: 'application/json', ...init.headers },
    });
  } catch {
    throw new Error(t('error_network'));
  }
  if (response.status === 401) signInAgain();
  if (!response.ok) {
    const error = new Error(await errorMessage(response));
    error.status = response.status;
    throw error;
  }
  return response.json();
}

export function fetchJson(url) {
  return requestJson(url);
}

// A POST with the session's CSRF token, which the server wants of every cookie-signed change.
export function postJson(url, body) {
  return requestJson(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': config.csrfToken ?? '' },
    body: JSON.stringify(body),
  });
}

// ---- elements -----------------------------------------------------------------------------

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

// Text made safe for the few places that take HTML (Leaflet's tooltips and layer names).
export function escapeHtml(text) {
  const span = document.createElement('span');
  span.textContent = text;
  return span.innerHTML;
}

// ---- messages -----------------------------------------------------------------------------

// Shows a message in this box: a status, or an error (an alert) with an optional retry button.
export function showMessage(box, text, { error = false, retry = null } = {}) {
  box.replaceChildren(text);
  box.classList.toggle('error', error);
  box.setAttribute('role', error ? 'alert' : 'status');
  if (retry) {
    const button = el('button', { type: 'button', class: 'button button--primary' }, t('retry'));
    button.addEventListener('click', retry);
    box.append(' ', button);
  }
  box.hidden = false;
}

export function hideMessage(box) {
  box.hidden = true;
}
