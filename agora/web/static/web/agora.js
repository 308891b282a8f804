// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function codePoints(text) {
    return Array.from(text).length;
  }

  function bindCounter(form) {
    var textarea = form.querySelector("textarea[data-max-chars]");
    var counter = form.querySelector("[data-char-count]");
    if (!textarea || !counter || textarea.dataset.bound) return;
    textarea.dataset.bound = "1";
    var max = parseInt(textarea.dataset.maxChars, 10);
    var button = form.querySelector("button[type=submit]");
    // The server counts characters (code points), so the browser's maxlength (UTF-16 units) must not cut first.
    textarea.removeAttribute("maxlength");
    function update() {
      var left = max - codePoints(textarea.value);
      counter.textContent = left;
      counter.classList.toggle("over", left < 0);
      // A post may be pictures alone: empty text is fine once a file is chosen.
      var hasFiles = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
        return input.files && input.files.length > 0;
      });
      if (button) button.disabled = left < 0 || (textarea.value.trim() === "" && !hasFiles);
    }
    textarea.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function bindAll(root) {
    (root || document).querySelectorAll("form[data-compose]").forEach(bindCounter);
  }

  // Forms that destroy something ask first (without JavaScript they simply submit).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);

  document.addEventListener("DOMContentLoaded", function () { bindAll(document); });
  document.addEventListener("htmx:load", function (event) { bindAll(event.target); });
})();
