/* The answer box of a message in the desk: as the volunteer types, post the text to the count
 * endpoint and show the answer as the network will receive it, its length as the network
 * counts it and the limit (the Social tab's counting, for answers). No library. */
(function () {
  "use strict";

  function setup(form) {
    var url = form.getAttribute("data-count-url");
    var input = form.querySelector("[data-reply-input]");
    if (!url || !input) {
      return;
    }
    var length = form.querySelector("[data-reply-length]");
    var limit = form.querySelector("[data-reply-limit]");
    var text = form.querySelector("[data-reply-text]");
    var error = form.querySelector("[data-reply-error]");
    var timer = null;
    var sequence = 0;

    function refresh() {
      var mine = ++sequence;
      var body = new FormData();
      body.append("text", input.value);
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      fetch(url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response.json();
        })
        .then(function (data) {
          if (mine !== sequence) {
            return;
          }
          length.textContent = data.length === null || data.length === undefined ? "–" : String(data.length);
          limit.textContent = String(data.limit);
          text.textContent = data.text || "";
          error.textContent = data.error || "";
          error.hidden = !data.error;
          form.classList.toggle("desk-reply--over", Boolean(data.error));
        })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    });
    if (input.value) {
      refresh();
    }
  }

  function init() {
    document.querySelectorAll("[data-reply-box]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
