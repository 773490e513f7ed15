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

  function setUp(box) {
    var planned = parseInt(box.getAttribute("data-minutes"), 10) * 60;
    if (!(planned > 0)) return;
    var left = planned;
    var ticking = null;

    var clock = document.createElement("p");
    clock.className = "timer__clock";
    clock.setAttribute("role", "timer");
    clock.setAttribute("aria-label", "Time left for this part");
    clock.textContent = format(left);

    var status = document.createElement("p");
    status.className = "timer__status";
    status.setAttribute("role", "status");

    var controls = document.createElement("div");
    controls.className = "actions timer__controls";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button";
    toggle.textContent = "Start timer";
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "button button--secondary";
    reset.textContent = "Reset";
    controls.appendChild(toggle);
    controls.appendChild(reset);

    function tick() {
      left -= 1;
      clock.textContent = format(left);
      if (left === 0) {
        box.classList.add("timer--over");
        status.textContent = "Time is up for this part.";
      }
    }

    function stop() {
      if (ticking !== null) clearInterval(ticking);
      ticking = null;
      toggle.textContent = left === planned ? "Start timer" : "Carry on";
    }

    toggle.addEventListener("click", function () {
      if (ticking === null) {
        ticking = setInterval(tick, 1000);
        toggle.textContent = "Pause timer";
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
      toggle.textContent = "Start timer";
    });

    box.appendChild(clock);
    box.appendChild(controls);
    box.appendChild(status);
    box.classList.add("timer--live");
  }

  document.querySelectorAll("[data-timer]").forEach(setUp);
})();
