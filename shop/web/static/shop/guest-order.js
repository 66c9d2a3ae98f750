// The e-mailed order link is /order/#<number>.<token>: the fragment never reaches a server,
// a log or a Referer. Read it, take it out of the address bar, and POST it (the order page
// is answered to the POST, private and no-store).
(function () {
  "use strict";
  var match = /^#(BFM-[0-9A-Z]{10})\.([A-Za-z0-9_-]{20,100})$/.exec(window.location.hash);
  if (!match) { return; }
  history.replaceState(null, "", window.location.pathname);
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("guest-order-form");
    if (!form) { return; }
    form.elements.number.value = match[1];
    form.elements.token.value = match[2];
    form.submit();
  });
})();
