import { createHash } from 'node:crypto';
import { LOOPBACK_HOSTS, redirectUriProblem } from '../../core/redirect-uri.ts';

/**
 * The console's only script, served from Latchkey itself (CONSOLE_SCRIPT_PATH) under the pages' nonce CSP. It only
 * enhances: every page works without it. It checks redirect URIs as they are typed with the server's own function
 * (core/redirect-uri.ts `redirectUriProblem`, embedded as source; the server applies it again on submit), reveals
 * the Copy buttons where the clipboard is available, moves focus to a form's error summary, and, after a page that
 * showed a secret once, replaces the history entry so a reload does not post the form again.
 */
export const CONSOLE_SCRIPT = `'use strict';
(function () {
  // The server's own function, so the two cannot disagree; the console is served on the issuer's origin.
  var LOOPBACK_HOSTS = new Set(${JSON.stringify([...LOOPBACK_HOSTS])});
  var redirectUriProblem = ${redirectUriProblem.toString()};
  function problem(uri) { return redirectUriProblem(uri, { issuer: location.origin }) || ''; }
  function checkRedirectUris(area) {
    var out = document.getElementById(area.id + '-error');
    var seen = {};
    var messages = [];
    area.value.split(/\\r?\\n/).forEach(function (line) {
      var uri = line.trim();
      if (!uri) return;
      var p = problem(uri);
      if (p) messages.push(uri + ': ' + p);
      else if (seen[uri]) messages.push(uri + ' is listed twice');
      seen[uri] = true;
    });
    var text = messages.join('; ');
    area.setCustomValidity(text);
    if (text) area.setAttribute('aria-invalid', 'true'); else area.removeAttribute('aria-invalid');
    if (out) out.textContent = text;
  }
  document.querySelectorAll('textarea[data-validate="redirect-uris"]').forEach(function (area) {
    area.addEventListener('input', function () { checkRedirectUris(area); });
  });

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var source = document.getElementById(button.getAttribute('data-copy'));
      var status = document.getElementById(button.getAttribute('data-copy') + '-status');
      navigator.clipboard.writeText(source.value).then(function () {
        if (status) status.textContent = 'Copied to the clipboard.';
      }, function () {
        source.select();
        if (status) status.textContent = 'Press Ctrl+C (or Command+C) to copy.';
      });
    });
  });

  var summary = document.querySelector('.lk-error-summary');
  if (summary) summary.focus();

  var canonical = document.querySelector('meta[name="lk-canonical"]');
  if (canonical && window.history && history.replaceState) history.replaceState(null, '', canonical.getAttribute('content'));
})();
`;

/** For a strong ETag: the script changes only with a new version of Latchkey. */
export const CONSOLE_SCRIPT_ETAG = `"${createHash('sha256').update(CONSOLE_SCRIPT).digest('base64url').slice(0, 16)}"`;
