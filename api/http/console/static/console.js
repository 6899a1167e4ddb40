// The console's only script: keep the bearer token in sessionStorage, exchange a one-time link for one, and fetch
// the page's figures (an HTML fragment rendered by the service) with the token in the Authorization header.
"use strict";
(function () {
  var KEY = "voucher-ledger-token";
  var body = document.body;
  var content = document.getElementById("content");
  var signIn = document.getElementById("sign-in");
  var message = document.getElementById("sign-in-message");
  var signOut = document.getElementById("sign-out");

  function showSignIn(text) {
    content.innerHTML = "";
    message.textContent = text || body.dataset.signedOut;
    signIn.hidden = false;
    signOut.hidden = true;
    document.getElementById("token").focus();
  }

  function load() {
    var token = sessionStorage.getItem(KEY);
    if (!token) { showSignIn(); return; }
    signIn.hidden = true;
    signOut.hidden = false;
    content.textContent = body.dataset.loading;
    fetch(content.dataset.part, {headers: {"Authorization": "Bearer " + token}, credentials: "omit"})
      .then(function (response) {
        if (response.status === 401) {
          sessionStorage.removeItem(KEY);
          showSignIn(body.dataset.badToken);
          return null;
        }
        return response.text().then(function (html) {
          content.innerHTML = html;
          content.dataset.status = String(response.status);
          offerExports(token);
          body.dataset.ready = "true";
        });
      })
      .catch(function (error) { content.textContent = String(error); });
  }

  // Each table with an id can be downloaded: the service cuts the file from the same fragment, for the same times.
  function offerExports(token) {
    content.querySelectorAll("table.figures[id]").forEach(function (table) {
      var bar = document.createElement("p");
      bar.className = "exports noprint";
      bar.dataset.table = table.id;
      ["csv", "xlsx"].forEach(function (format) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "export";
        button.dataset.format = format;
        button.textContent = body.dataset.download + " " + format.toUpperCase();
        button.addEventListener("click", function () { download(token, table.id, format); });
        bar.appendChild(button);
      });
      table.parentNode.insertBefore(bar, table);
    });
  }

  function download(token, table, format) {
    var part = content.dataset.part;
    var url = part + (part.indexOf("?") < 0 ? "?" : "&") + "export=" + format + "&table=" + encodeURIComponent(table);
    fetch(url, {headers: {"Authorization": "Bearer " + token}, credentials: "omit"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
        var named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
        return response.blob().then(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = named ? named[1] : table + "." + format;
          document.body.appendChild(link);
          link.click();
          link.remove();
          setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
        });
      })
      .catch(function (error) { window.alert(String(error)); });
  }

  function redeemLink() {
    var match = /^#link=([A-Za-z0-9._-]+)$/.exec(window.location.hash);
    if (!match) { return Promise.resolve(); }
    // The link is used once: take it out of the address bar (and the history) before anything else.
    history.replaceState(null, "", window.location.pathname + window.location.search);
    return fetch("/console/session", {method: "POST", headers: {"Content-Type": "application/json"},
                                      body: JSON.stringify({link: match[1]}), credentials: "omit"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && answer.token) { sessionStorage.setItem(KEY, answer.token); }
        else { sessionStorage.removeItem(KEY); message.textContent = body.dataset.badToken; }
      });
  }

  signIn.addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem(KEY, document.getElementById("token").value.trim());
    document.getElementById("token").value = "";
    load();
  });
  document.getElementById("print").addEventListener("click", function () { window.print(); });
  signOut.addEventListener("click", function () { sessionStorage.removeItem(KEY); showSignIn(); });
  redeemLink().then(function () {
    if (!sessionStorage.getItem(KEY) && message.textContent) { showSignIn(message.textContent); return; }
    load();
  });
})();
