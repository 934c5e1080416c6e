// /track: the page works without this script; it counts the comment's characters left, keeps
// a rating from being sent twice, and keeps the receipt when the language is switched.
import { $, config, t } from '../app.js';

function countCharactersLeft() {
  const comment = $('comment');
  if (!comment) return;
  const left = document.createElement('p');
  left.id = 'comment-left';
  left.className = 'muted rating-form__left';
  left.setAttribute('aria-live', 'polite');
  const update = () => {
    left.textContent = t('comment_left', { n: config.commentMax - [...comment.value].length });
  };
  ($('comment-hint') ?? comment).after(left);
  comment.addEventListener('input', update);
  update();
}

function sendOnce() {
  const form = $('rating-form');
  if (!form) return;
  form.addEventListener('submit', (event) => {
    const button = $('rate-button');
    if (button.disabled) {
      event.preventDefault();
      return;
    }
    button.disabled = true;
    button.textContent = t('rate_pending');
  });
}

// The receipt goes along with the header's switch (a link, or a signed-in user's form that
// comes back to `next`), so the case stays shown, after a rating's POST too.
function keepReceiptOnLanguageSwitch() {
  const link = $('lang-switch');
  if (!link || !config.receipt) return;
  const next = link.form?.elements.next;
  const url = new URL(next ? next.value : link.getAttribute('href'), window.location.href);
  url.searchParams.set('receipt', config.receipt);
  if (next) next.value = url.pathname + url.search;
  else link.href = url.pathname + url.search;
}

countCharactersLeft();
sendOnce();
keepReceiptOnLanguageSwitch();
