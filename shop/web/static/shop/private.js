/* Private sections of cached pages (docs/architecture.md, "Private sections"; the server side
 * is shop/web/private.py).
 *
 * The page is public and the same for everyone. Who is signed in and the cart count come
 * from the private sections endpoint, kept in sessionStorage with the version cookie's value
 * they were read at, and fetched again only when that cookie changed (or after TTL_MS). No
 * version cookie: nothing private exists, nothing is asked, and what was stored is dropped.
 *
 * Forms of cached pages marked data-needs-csrf carry no CSRF token: on first submit it is
 * fetched (never stored), added to the form and the form submitted again.
 *
 * Markup (shop/web/templates/web/base.html):
 *   [data-private-url]         the endpoint; [data-private-cookie] the cookie's name
 *   [data-private-when="in"]   shown only when signed in; ="out" only when signed out
 *   [data-private-text="name"] text from the sections ("name", "cart_count")
 *   [data-private-count]       hidden when the cart is empty
 */
(function () {
  "use strict";
  var KEY = "bfm:private";
  var TTL_MS = 30 * 60 * 1000;
  var root = document.querySelector("[data-private-url]");
  if (!root) {
    return;
  }
  var url = root.getAttribute("data-private-url");
  var cookieName = root.getAttribute("data-private-cookie") || "bfm_pv";

  function version() {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === cookieName) {
        return parts[i].slice(eq + 1);
      }
    }
    return "";
  }

  function readStored() {
    try {
      return JSON.parse(window.sessionStorage.getItem(KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  function forget() {
    try {
      window.sessionStorage.removeItem(KEY);
    } catch (error) { /* storage disabled: nothing was kept */ }
  }

  function keep(sections) {
    var v = version();
    if (!v) {
      forget();
      return;
    }
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify({
        v: v, at: Date.now(),
        s: {signed_in: !!sections.signed_in, name: sections.name || "", cart_count: sections.cart_count || 0}
      }));
    } catch (error) { /* storage disabled or full: ask again next time */ }
  }

  function render(sections) {
    var signedIn = !!(sections && sections.signed_in);
    document.querySelectorAll("[data-private-when]").forEach(function (el) {
      el.hidden = (el.getAttribute("data-private-when") === "in") !== signedIn;
    });
    document.querySelectorAll("[data-private-text]").forEach(function (el) {
      var value = sections ? sections[el.getAttribute("data-private-text")] : "";
      el.textContent = value === undefined || value === null ? "" : String(value);
    });
    var count = sections ? Number(sections.cart_count) || 0 : 0;
    document.querySelectorAll("[data-private-count]").forEach(function (el) {
      el.hidden = count === 0;
    });
  }

  function load() {
    return fetch(url, {
      credentials: "same-origin", cache: "no-store", headers: {Accept: "application/json"}
    }).then(function (answer) {
      if (!answer.ok) {
        throw new Error("private sections: " + answer.status);
      }
      return answer.json();
    });
  }

  var inflight = false;

  function refresh() {
    if (inflight) {
      return; // the answer on its way renders the whole page
    }
    var v = version();
    if (!v) {
      forget();
      render(null);
      return;
    }
    var stored = readStored();
    if (stored && stored.v === v && Date.now() - stored.at < TTL_MS) {
      render(stored.s);
      return;
    }
    forget();
    inflight = true;
    load().then(function (sections) {
      inflight = false;
      keep(sections);
      render(version() ? sections : null);
    }).catch(function () {
      inflight = false;
      render(null);
    });
  }

  // Forms of cached pages: fetch this visitor's CSRF token on first submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form[data-needs-csrf]")) {
      return;
    }
    if (form.querySelector("input[name=csrfmiddlewaretoken]")) {
      return;
    }
    event.preventDefault();
    event.stopPropagation(); // htmx listens on the form: it sees the submit that follows
    var submitter = event.submitter || null;
    load().then(function (sections) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "csrfmiddlewaretoken";
      field.value = sections.csrf_token;
      form.appendChild(field);
      keep(sections);
      render(version() ? sections : null);
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    }).catch(function () {
      form.submit(); // the server answers with its own refusal page
    });
  }, true);

  // After any htmx exchange (add to cart, cart changes) the version may have moved.
  document.addEventListener("htmx:afterRequest", refresh);
  // Back/forward cache: the page comes back as it was, the cookie may not have.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      refresh();
    }
  });
  // Their buttons stay disabled without JavaScript (no token to send): enable them, also in
  // what htmx swaps in (another variant's buy box).
  function enableForms() {
    document.querySelectorAll("form[data-needs-csrf] [data-enable-with-script]").forEach(function (el) {
      el.disabled = false;
    });
  }
  document.addEventListener("htmx:afterSettle", enableForms);
  document.addEventListener("DOMContentLoaded", function () {
    enableForms();
    refresh();
  });
  refresh();
})();
