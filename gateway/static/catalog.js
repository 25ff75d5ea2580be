// Progressive enhancement of the catalogue: "add to cart" from a list posts with fetch (the
// page stays where it is, the cart badge and a status line are updated). Without this script
// the forms post normally and come back to the same list.
(function () {
  "use strict";
  var status = document.querySelector("[data-cart-status]");

  function say(text, severity) {
    if (!status) { return; }
    var box = document.createElement("div");
    box.className = "message message-" + severity;
    box.setAttribute("role", severity === "error" ? "alert" : "status");
    box.setAttribute("data-message", severity);
    var icon = document.createElement("span");
    icon.className = "message-icon";
    icon.setAttribute("aria-hidden", "true");
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(icon);
    box.appendChild(p);
    status.replaceChildren(box);
  }

  function setBadge(lines) {
    document.querySelectorAll("[data-cart-count]").forEach(function (badge) {
      badge.setAttribute("data-cart-count", String(lines));
      badge.textContent = String(lines);
      badge.classList.remove("bump");
      void badge.offsetWidth; // restart the animation
      badge.classList.add("bump");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-quick-add")) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      if (result.ok && result.answer.ok) {
        setBadge(result.answer.lines);
        say(result.answer.message, "success");
        form.setAttribute("data-added", "1");
      } else {
        say(result.answer.message, "error");
      }
    }).catch(function () {
      form.submit(); // no answer we can read: post the form the ordinary way
    }).finally(function () {
      if (button) { button.disabled = false; }
    });
  });

  // On a phone the filters start folded (unless one is in use), so the results come first.
  if (window.matchMedia("(max-width: 40rem)").matches) {
    document.querySelectorAll("details[data-collapse-narrow]").forEach(function (details) {
      details.open = false;
    });
  }
})();
