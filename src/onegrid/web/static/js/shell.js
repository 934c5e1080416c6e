// Every signed-in page (base.html): htmx's requests (the bell's refresh) carry the session's
// CSRF token as the page's fetch calls do, and one whose session has ended (401) sends the
// user to sign in and back to this page.
import { signInAgain } from './app.js';

const csrfToken = document.querySelector('meta[name="onegrid-csrf"]')?.content ?? '';

document.addEventListener('htmx:configRequest', (event) => {
  event.detail.headers['X-CSRF-Token'] = csrfToken;
});

document.addEventListener('htmx:responseError', (event) => {
  if (event.detail.xhr.status === 401) signInAgain();
});
