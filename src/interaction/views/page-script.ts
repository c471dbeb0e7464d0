import { createHash } from 'node:crypto';

/** Where the pages' script is served, from Latchkey itself, so the nonce CSP needs no other origin. */
export const PAGE_SCRIPT_PATH = '/assets/pages.js';

/**
 * The sign-in pages' only script. It only enhances (every page works without it): it reveals the Copy buttons where
 * the clipboard is available and copies the text of the element a button names, or selects it when copying fails.
 */
export const PAGE_SCRIPT = `'use strict';
(function () {
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    var source = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-copy') + '-status');
    if (!source) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent).then(function () {
        if (status) status.textContent = 'Copied to the clipboard.';
      }, function () {
        window.getSelection().selectAllChildren(source);
        if (status) status.textContent = 'Press Ctrl+C (or Command+C) to copy.';
      });
    });
  });
})();
`;

/** For a strong ETag: the script changes only with a new version of Latchkey. */
export const PAGE_SCRIPT_ETAG = `"${createHash('sha256').update(PAGE_SCRIPT).digest('base64url').slice(0, 16)}"`;
