// Revealing a masked phone through POST /api/v1/pii/reveal: for a stated purpose, which the
// server records in the audit log. Offered only to roles holding pii.reveal (config.canReveal).
import { apiUrl, el, postJson, t } from '../app.js';

const PURPOSE_MIN = 4; // as POST /pii/reveal wants it (after trimming)
let revealForms = 0;

export function revealButton(person, row, phone) {
  const button = el('button', {
    type: 'button', class: 'reveal', 'aria-expanded': 'false',
    title: t('reveal_title', { name: person.name }),
  }, t('reveal_button'));
  let form = null;
  const close = () => {
    form?.remove();
    form = null;
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  };
  button.addEventListener('click', () => {
    if (form) {
      close();
      return;
    }
    form = revealForm(person, button, phone, close);
    row.append(form);
    form.querySelector('input').focus();
  });
  return button;
}

// The inline form asking for the purpose (not window.prompt, which kiosks and tests block).
function revealForm(person, button, phone, close) {
  const id = `reveal-form-${++revealForms}`;
  const input = el('input', {
    id: `${id}-purpose`, class: 'reveal-purpose field', name: 'purpose', type: 'text',
    maxlength: '200', autocomplete: 'off', placeholder: t('reveal_purpose_placeholder'),
  });
  const confirm = el('button', {
    type: 'submit', class: 'reveal-confirm button button--primary',
  }, t('reveal_confirm'));
  const cancel = el('button', { type: 'button', class: 'reveal-cancel button' }, t('reveal_cancel'));
  const message = el('p', { class: 'reveal-message', 'aria-live': 'polite' });
  const form = el('form', { id, class: 'reveal-form', novalidate: '' },
    el('label', { for: input.id }, t('reveal_purpose_label')),
    input,
    el('span', { class: 'reveal-actions' }, confirm, cancel),
    message);
  button.setAttribute('aria-expanded', 'true');
  button.setAttribute('aria-controls', id);

  const say = (text, isError) => {
    message.textContent = text;
    message.classList.toggle('error', isError);
    message.setAttribute('role', isError ? 'alert' : 'status');
  };
  cancel.addEventListener('click', close);
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.stopPropagation(); // Escape closes this form, not the whole panel
    close();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (confirm.disabled) return;
    const purpose = input.value.trim();
    if ([...purpose].length < PURPOSE_MIN) {
      say(t('reveal_error_purpose', { n: PURPOSE_MIN }), true);
      input.focus();
      return;
    }
    confirm.disabled = true;
    input.readOnly = true;
    say(t('reveal_pending'), false);
    try {
      const revealed = await postJson(apiUrl('/pii/reveal'), {
        object_type: 'person', object_id: person.person_id, field: 'phone', purpose,
      });
      form.remove();
      button.remove();
      showRevealed(phone, revealed.value);
    } catch (error) {
      confirm.disabled = false;
      input.readOnly = false;
      say(revealError(error), true);
      input.focus();
    }
  });
  return form;
}

function revealError(error) {
  if (error.status === 422) return t('reveal_error_purpose', { n: PURPOSE_MIN });
  if ([401, 403, 404].includes(error.status)) {
    return t('reveal_error_refused', { detail: error.message });
  }
  return t('reveal_error_failed', { detail: error.message });
}

function showRevealed(phone, value) {
  phone.textContent = value || t('no_phone');
  phone.classList.add('revealed');
  phone.closest('li').append(el('span', { class: 'reveal-note' }, t('reveal_logged')));
}
