// The reporter's phone on the case page, masked until revealed: for a stated purpose, which
// POST /api/v1/pii/reveal records in the audit log. Offered only to roles holding pii.reveal.
import { $, apiUrl, config, el, postJson, t } from '../app.js';

export function setUpReveal() {
  const button = $('reveal-phone');
  const form = $('reveal-form');
  if (!button || !form) return;
  const input = $('reveal-purpose');
  const message = $('reveal-message');
  button.addEventListener('click', () => {
    form.hidden = !form.hidden;
    button.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) input.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    try {
      const revealed = await postJson(apiUrl('/pii/reveal'), {
        object_type: 'case',
        object_id: config.caseId,
        field: 'reporter_phone',
        purpose: input.value.trim(),
      });
      $('reporter-phone').textContent = revealed.value;
      form.remove();
      button.replaceWith(el('span', { class: 'reveal-note muted' }, t('reveal_logged')));
    } catch (error) {
      message.textContent = t('reveal_error', { detail: error.message });
      message.setAttribute('role', 'alert');
      input.focus();
    }
  });
}
