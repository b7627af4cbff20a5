// venturematch — progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // Move focus to an error summary so screen-reader and keyboard users hear what went wrong.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-autofocus]");
    if (summary) { summary.focus(); }
  }

  // Links in the error summary focus the field itself, not just scroll to it.
  function linkSummaryToFields() {
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) { return; }
        event.preventDefault();
        var input = target.matches("fieldset") ? target.querySelector("input, select, textarea") : target;
        (input || target).focus();
        target.scrollIntoView({ block: "center" });
      });
    });
  }

  // Fold the main navigation behind a button on narrow screens.
  function navToggle() {
    var nav = document.getElementById("main-nav");
    if (!nav) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "nav-toggle";
    button.textContent = "Menu";
    button.setAttribute("aria-controls", "main-nav");
    button.setAttribute("aria-expanded", "false");
    // A count in the folded menu (unread notifications) shows on the button too.
    var count = nav.querySelector("a[aria-label] .nav-count");
    if (count) {
      button.appendChild(count.cloneNode(true));
      button.setAttribute("aria-label", "Menu (" + count.parentNode.getAttribute("aria-label") + ")");
    }
    nav.setAttribute("data-collapsed", "true");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      nav.setAttribute("data-collapsed", open ? "true" : "false");
    });
    nav.parentNode.insertBefore(button, nav);
  }

  // Ask before irreversible actions; the server still requires its own confirmation field.
  // Only a form that is filled in is asked about: for one the server will refuse anyway (an
  // empty password, an unticked box) the question only gets in the way, so it goes straight to
  // the server, which names what is missing.
  function confirmDangerous() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!form.checkValidity()) { return; }
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  // Show/hide password toggles next to password inputs.
  function passwordToggles() {
    document.querySelectorAll("input[type='password'][data-reveal]").forEach(function (input) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button reveal-toggle";
      button.textContent = "Show password";
      button.setAttribute("aria-controls", input.id);
      button.addEventListener("click", function () {
        var hidden = input.type === "password";
        input.type = hidden ? "text" : "password";
        button.textContent = hidden ? "Hide password" : "Show password";
      });
      input.insertAdjacentElement("afterend", button);
    });
  }

  // A wide table scrolls inside its box (.table-wrap). Name the box after the table's caption,
  // and let keyboard users focus it (to scroll with the arrow keys) whenever it does scroll.
  var tableCount = 0;
  function scrollableTables() {
    var boxes = document.querySelectorAll(".table-wrap");
    boxes.forEach(function (box) {
      var caption = box.querySelector("caption");
      if (caption) {
        if (!caption.id) { tableCount += 1; caption.id = "table-caption-" + tableCount; }
        box.setAttribute("aria-labelledby", caption.id);
      } else if (!box.hasAttribute("aria-label")) {
        box.setAttribute("aria-label", "Table");
      }
      box.setAttribute("role", "region");
    });
    function update() {
      boxes.forEach(function (box) {
        if (box.scrollWidth > box.clientWidth + 1) { box.setAttribute("tabindex", "0"); }
        else { box.removeAttribute("tabindex"); }
      });
    }
    update();
    window.addEventListener("resize", update);
  }

  ready(function () {
    scrollableTables();
    focusErrorSummary();
    linkSummaryToFields();
    navToggle();
    confirmDangerous();
    passwordToggles();
  });
})();
