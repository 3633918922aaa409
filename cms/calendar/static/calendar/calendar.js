// Drag-to-reschedule on the editorial calendar. Each movable entry carries the address of its
// move form; dropping it on a day sends that day (the post keeps its time of day), dropping it
// on a slot sends the day and the slot's time. The server checks the move and answers in JSON;
// the entry moves only once the server said yes. Without this script, the "Déplacer" link of
// each entry opens the same form as a page.
(function () {
  "use strict";

  function init() {
    const calendar = document.querySelector("[data-calendar]");
    if (!calendar) return;
    const status = document.querySelector("[data-calendar-status]");
    let dragged = null;

    function say(text, isError) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("error-message", Boolean(isError));
    }

    calendar.addEventListener("dragstart", function (event) {
      const entry = event.target.closest && event.target.closest("[data-move-url]");
      if (!entry) return;
      dragged = entry;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", entry.dataset.calendarEntry);
    });
    calendar.addEventListener("dragend", function () {
      dragged = null;
      calendar.querySelectorAll(".is-drop-target").forEach(function (el) {
        el.classList.remove("is-drop-target");
      });
    });

    function targetOf(event) {
      return event.target.closest && event.target.closest("[data-calendar-slot], td[data-calendar-day]");
    }

    calendar.addEventListener("dragover", function (event) {
      const target = targetOf(event);
      if (!dragged || !target) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      calendar.querySelectorAll(".is-drop-target").forEach(function (el) {
        if (el !== target) el.classList.remove("is-drop-target");
      });
      target.classList.add("is-drop-target");
    });

    calendar.addEventListener("drop", function (event) {
      const target = targetOf(event);
      if (!dragged || !target) return;
      event.preventDefault();
      target.classList.remove("is-drop-target");
      const entry = dragged;
      const token = document.querySelector("[data-calendar-csrf] [name=csrfmiddlewaretoken]");
      const body = new FormData();
      body.append("csrfmiddlewaretoken", token ? token.value : "");
      body.append("day", target.dataset.calendarDay);
      if (target.dataset.calendarSlot) body.append("time", target.dataset.calendarSlot);
      fetch(entry.dataset.moveUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok && data.ok, data: data };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            say((result.data.errors || []).join(" "), true);
            return;
          }
          const cell = calendar.querySelector('td[data-calendar-day="' + result.data.day + '"]');
          const list = cell && cell.querySelector("[data-calendar-entries]");
          if (list) list.appendChild(entry);
          else entry.remove(); // moved out of the days shown
          const time = entry.querySelector("[data-calendar-time]");
          if (time) time.textContent = result.data.time;
          say(result.data.message, false);
        })
        .catch(function () {
          say(calendar.dataset.errorMessage || "", true);
        });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
