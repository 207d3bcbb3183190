/* The login form when many log in at once (a November morning): the server then answers
 * 503 with Retry-After rather than keep the request waiting for its password check
 * (chiso/accounts/hashers.py). This script sends the form itself, and on such an answer
 * says so beside the button and sends it again after that many seconds, so the officer
 * types nothing twice. Any other answer is shown as the server wrote it. Without this
 * script the form posts as usual and the page says to try again. */
(function () {
  "use strict";

  function bind(card) {
    var form = card.querySelector("form[data-login]");
    if (!form || !window.fetch || !window.DOMParser) {
      return;
    }
    var status = form.querySelector("#login-status");
    var button = form.querySelector("button[type=submit]");

    function show(html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("login");
      if (!fresh) {
        form.submit();
        return;
      }
      card.replaceWith(fresh);
      bind(fresh);
      var focus = fresh.querySelector("[role=alert]") ? "#id_password" : "#id_username";
      var field = fresh.querySelector(focus);
      if (field) {
        field.focus();
      }
    }

    function send() {
      fetch(form.action || window.location.href, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual"
      }).then(function (answer) {
        if (answer.type === "opaqueredirect") {
          window.location.assign(form.getAttribute("data-success") || "/");
          return;
        }
        var wait = parseInt(answer.headers.get("Retry-After") || "", 10);
        if (answer.status === 503 && wait > 0) {
          status.textContent = form.getAttribute("data-busy").replace("%(seconds)d", wait);
          // A little spread, so the turned-away logins do not all come back at once.
          window.setTimeout(send, wait * 1000 + Math.random() * 1000);
          return;
        }
        return answer.text().then(show);
      }).catch(function () {
        form.submit();
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      card.setAttribute("aria-busy", "true");
      send();
    });
  }

  var card = document.getElementById("login");
  if (card) {
    bind(card);
  }
})();
