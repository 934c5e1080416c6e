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

// The header's switch links to ?lang=… alone: the receipt goes along, so the case stays shown.
function keepReceiptOnLanguageSwitch() {
  const link = $('lang-switch');
  if (!link || !config.receipt) return;
  const url = new URL(link.href, window.location.href);
  url.searchParams.set('receipt', config.receipt);
  link.href = url.pathname + url.search;
}

countCharactersLeft();
sendOnce();
keepReceiptOnLanguageSwitch();
