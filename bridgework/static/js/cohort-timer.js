// A countdown for the current part of a session. Without JavaScript the page shows the
// planned minutes as text; with it, that text gains a clock and start/pause/reset buttons.
(function () {
  "use strict";

  function format(seconds) {
    var sign = seconds < 0 ? "−" : "";
    var left = Math.abs(seconds);
    var minutes = Math.floor(left / 60);
    var rest = left % 60;
    return sign + minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // The page gives the words in its own language (data-text-*); English if it does not.
  function text(box, name, fallback) {
    return box.getAttribute("data-text-" + name) || fallback;
  }

  function setUp(box) {
    var planned = parseInt(box.getAttribute("data-minutes"), 10) * 60;
    if (!(planned > 0)) return;
    var left = planned;
    var ticking = null;

    var clock = document.createElement("p");
    clock.className = "timer__clock";
    clock.setAttribute("role", "timer");
    clock.setAttribute("aria-label", text(box, "clock", "Time left for this part"));
    clock.textContent = format(left);

    var status = document.createElement("p");
    status.className = "timer__status";
    status.setAttribute("role", "status");

    var controls = document.createElement("div");
    controls.className = "actions timer__controls";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button";
    toggle.textContent = text(box, "start", "Start timer");
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "button button--secondary";
    reset.textContent = text(box, "reset", "Reset");
    controls.appendChild(toggle);
    controls.appendChild(reset);

    function tick() {
      left -= 1;
      clock.textContent = format(left);
      if (left === 0) {
        box.classList.add("timer--over");
        status.textContent = text(box, "up", "Time is up for this part.");
      }
    }

    function stop() {
      if (ticking !== null) clearInterval(ticking);
      ticking = null;
      toggle.textContent =
        left === planned ? text(box, "start", "Start timer") : text(box, "carry-on", "Carry on");
    }

    toggle.addEventListener("click", function () {
      if (ticking === null) {
        ticking = setInterval(tick, 1000);
        toggle.textContent = text(box, "pause", "Pause timer");
      } else {
        stop();
      }
    });
    reset.addEventListener("click", function () {
      stop();
      left = planned;
      clock.textContent = format(left);
      box.classList.remove("timer--over");
      status.textContent = "";
      toggle.textContent = text(box, "start", "Start timer");
    });

    box.appendChild(clock);
    box.appendChild(controls);
    box.appendChild(status);
    box.classList.add("timer--live");
  }

  document.querySelectorAll("[data-timer]").forEach(setUp);
})();
