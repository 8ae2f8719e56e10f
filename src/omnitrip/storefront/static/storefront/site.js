/* omnitrip storefront: small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // The currency menu applies itself when changed (the Apply button stays for no-JS).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
