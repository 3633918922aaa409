/* The Social tab of an item: as the editor types, post the edit form to the preview endpoint
 * and show, per network, the text the real composer makes, its count and the limit.
 * Served with the admin by the insert_editor_js hook (cms/social/wagtail_hooks.py); no library. */
(function () {
  "use strict";

  function setup(root) {
    var form = root.closest("form");
    var url = root.getAttribute("data-preview-url");
    if (!form || !url) {
      return;
    }
    var status = root.querySelector("[data-social-status]");
    var timer = null;
    var sequence = 0;

    function show(name, data) {
      var block = root.querySelector('[data-network="' + name + '"]');
      if (!block) {
        return;
      }
      block.querySelector("[data-social-text]").textContent = data.text || "";
      block.querySelector("[data-social-length]").textContent =
        data.length === null || data.length === undefined ? "–" : String(data.length);
      block.querySelector("[data-social-limit]").textContent = String(data.limit);
      var card = block.querySelector("[data-social-card]");
      card.textContent = data.card
        ? root.getAttribute("data-card-label") + " " + data.card.title + " — " + data.card.url
        : "";
      var error = block.querySelector("[data-social-error]");
      error.textContent = data.error || "";
      error.hidden = !data.error;
      var skipped = block.querySelector("[data-social-skipped]");
      skipped.textContent = data.skipped || "";
      skipped.hidden = !data.skipped;
      block.classList.toggle("social-network--over", Boolean(data.error));
    }

    function refresh() {
      var mine = ++sequence;
      var body = new FormData(form);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "XMLHttpRequest" },
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (data) {
          if (mine !== sequence) {
            return; // an answer to an older request
          }
          status.textContent = data.error || "";
          Object.keys(data.networks || {}).forEach(function (name) {
            show(name, data.networks[name]);
          });
        })
        .catch(function () {
          status.textContent = "Aperçu indisponible pour le moment.";
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  function init() {
    document.querySelectorAll("[data-social-texts]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
