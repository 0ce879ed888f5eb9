/* Jinjiang Innovation Atlas — what every page script needs: building elements with text (never
 * HTML, so data can never run as code) and the session's CSRF token for writes. */
(function () {
  "use strict";

  /* An element with text content (never HTML) and an optional class. */
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  /* The CSRF token of the logged-in session (<meta name="csrf-token">), "" when anonymous. */
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  window.AtlasDom = { el: el, csrfToken: csrfToken };
})();
