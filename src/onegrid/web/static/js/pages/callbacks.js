// /callbacks: reveal a caller's phone for a stated purpose (POST /pii/reveal, audited), and
// enter the caller's rating on their behalf (the evaluate transition), after which the call
// leaves the list.
import { $, apiUrl, config, counted, el, postJson, t } from '../app.js';

const PURPOSE_MIN = 4; // as POST /pii/reveal wants it (after trimming)

function say(box, text, isError) {
  box.textContent = text;
  box.classList.toggle('error', isError);
  box.setAttribute('role', isError ? 'alert' : 'status');
}

// ---- the phone: masked until revealed for a purpose ---------------------------------------

function setUpReveal(row) {
  const button = row.querySelector('.callback__reveal');
  const form = row.querySelector('.callback__reveal-form');
  if (!button || !form) return;
  const input = form.querySelector('input[name="purpose"]');
  const confirm = form.querySelector('button[type="submit"]');
  const message = form.querySelector('.message');
  const show = (open) => {
    form.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    (open ? input : button).focus();
  };
  button.addEventListener('click', () => show(form.hidden));
  form.querySelector('.callback__reveal-cancel').addEventListener('click', () => show(false));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') show(false);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (confirm.disabled) return;
    const purpose = input.value.trim();
    if ([...purpose].length < PURPOSE_MIN) {
      say(message, t('reveal_error_purpose', { n: PURPOSE_MIN }), true);
      input.focus();
      return;
    }
    confirm.disabled = true;
    say(message, t('reveal_pending'), false);
    try {
      const revealed = await postJson(apiUrl('/pii/reveal'), {
        object_type: 'case', object_id: Number(row.dataset.caseId), field: 'reporter_phone', purpose,
      });
      const phone = row.querySelector('.callback__phone');
      const link = el('a', { class: 'callback__phone callback__phone--revealed', href: `tel:${revealed.value}` },
        revealed.value);
      phone.replaceWith(link);
      button.remove();
      form.remove();
      link.after(' ', el('span', { class: 'muted' }, t('reveal_logged')));
      link.focus();
    } catch (error) {
      confirm.disabled = false;
      say(message, error.status === 422
        ? t('reveal_error_purpose', { n: PURPOSE_MIN })
        : t('reveal_error', { detail: error.message }), true);
      input.focus();
    }
  });
}

// ---- the caller's rating, entered on their behalf -----------------------------------------

function leaveTheList(row, rating) {
  const list = $('callback-list');
  const status = $('callbacks-status');
  const next = row.nextElementSibling ?? row.previousElementSibling;
  row.remove();
  say(status, t('rated', { receipt: row.dataset.receipt, n: rating }), false);
  const count = $('callbacks-count');
  if (count) {
    const n = Number(count.dataset.count) - 1;
    count.dataset.count = String(n);
    count.textContent = counted('waiting_count', n);
  }
  if (list.children.length === 0) {
    if (config.hasNextPage) {
      window.location.reload(); // the next callers come up to this page
      return;
    }
    list.hidden = true;
    document.querySelector('.pager')?.remove();
    count?.remove();
    $('callbacks-empty').hidden = false;
  }
  (next?.querySelector('.callback__title') ?? status).focus();
}

function setUpRating(row) {
  const form = row.querySelector('.callback__rating');
  const button = form.querySelector('button[type="submit"]');
  const message = form.querySelector('.callback__message');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    const chosen = form.querySelector('input[name="rating"]:checked');
    if (!chosen) {
      say(message, t('error_rating'), true);
      form.querySelector('input[name="rating"]').focus();
      return;
    }
    const comment = form.querySelector('textarea').value.trim();
    if ([...comment].length > config.commentMax) {
      say(message, t('error_comment', { n: config.commentMax }), true);
      return;
    }
    const rating = Number(chosen.value);
    button.disabled = true;
    say(message, t('rate_pending'), false);
    try {
      await postJson(apiUrl(`/cases/${row.dataset.caseId}/transitions`), {
        action: 'evaluate', note: comment || null, data: { rating },
      });
      leaveTheList(row, rating);
    } catch (error) {
      button.disabled = false;
      say(message, t('rate_failed', { detail: error.message }), true);
    }
  });
}

$('callbacks-status').tabIndex = -1;
for (const row of document.querySelectorAll('.callback')) {
  row.querySelector('.callback__title').tabIndex = -1; // focus lands here once a row is done
  setUpReveal(row);
  setUpRating(row);
}
