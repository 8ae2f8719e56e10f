/* omnitrip storefront: the hold countdown on the pay and order pages.
   The server renders the remaining time and decides expiry (it expires the order when
   the page is loaded after the hold ran out); this only counts down between loads and
   tells screen-reader users at five minutes, one minute and zero through a polite live
   region (the visible timer itself is not announced every second). */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function start(box) {
    var total = parseInt(box.getAttribute("data-remaining"), 10);
    if (isNaN(total)) { return; }
    var shown = box.querySelector("[data-countdown]");
    var announce = box.querySelector("[data-hold-announce]");
    var expiredNote = box.querySelector("[data-hold-expired]");
    var template = box.querySelector("template[data-hold-messages]");
    var texts = {};
    if (template) {
      ["five", "one", "zero"].forEach(function (key) {
        var node = template.content.querySelector("[data-" + key + "]");
        texts[key] = node ? node.textContent : "";
      });
    }
    var deadline = Date.now() + total * 1000;
    var said = {};

    function say(key) {
      if (said[key] || !announce || !texts[key]) { return; }
      said[key] = true;
      announce.textContent = texts[key];
    }

    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      if (shown) { shown.textContent = Math.floor(left / 60) + ":" + pad(left % 60); }
      if (left <= 300 && total > 300) { say("five"); }
      if (left <= 60 && total > 60) { say("one"); }
      if (left <= 0) {
        say("zero");
        box.classList.add("is-expired");
        if (expiredNote) { expiredNote.hidden = false; }
        document.querySelectorAll("[data-pay-button]").forEach(function (button) {
          button.disabled = true;
        });
        return;
      }
      window.setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
    }
    tick();
  }

  function init(root) {
    (root || document).querySelectorAll("[data-hold]").forEach(function (box) {
      if (box.getAttribute("data-hold-started")) { return; }
      box.setAttribute("data-hold-started", "1");
      start(box);
    });
  }

  init(document);
  // The order page's status block is replaced by htmx while a payment is processed.
  document.body.addEventListener("htmx:afterSwap", function (event) { init(event.target.parentNode || document); });
})();
