/* omnitrip storefront, browse pages: small enhancements; every page works without them. */
(function () {
  "use strict";
  // Search filters: a sidebar kept open on wide screens, collapsed (<details>) on narrow
  // ones unless a field needs correcting.
  var wide = window.matchMedia("(min-width: 861px)");
  function sync() {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
      if (wide.matches) { details.open = true; }
      else if (!details.hasAttribute("data-errors")) { details.open = false; }
    });
  }
  sync();
  if (wide.addEventListener) { wide.addEventListener("change", sync); }
})();
