// venturematch — progressive enhancement for the venture, mandate and match pages.
// Every form works without this file; it only adds live counts and earlier, inline messages.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // "3 of 5 chosen" under a limited picker, and no more boxes once the limit is reached.
  function pickerLimits() {
    document.querySelectorAll("fieldset[data-limit]").forEach(function (fieldset) {
      var limit = parseInt(fieldset.getAttribute("data-limit"), 10);
      var boxes = fieldset.querySelectorAll("input[type='checkbox']");
      var counter = fieldset.querySelector("[data-count-for]");
      function update() {
        var chosen = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
        boxes.forEach(function (b) { b.disabled = !b.checked && chosen >= limit; });
        if (counter) {
          counter.textContent = chosen + " of " + limit + " chosen" + (chosen >= limit ? " — untick one to choose another" : "");
        }
      }
      fieldset.addEventListener("change", update);
      update();
    });
  }

  // A quiet character count for long text.
  function counters() {
    document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
      var max = parseInt(area.getAttribute("data-counter"), 10);
      var note = document.createElement("p");
      note.className = "hint";
      note.id = area.id + "-count";
      note.setAttribute("aria-live", "polite");
      area.insertAdjacentElement("afterend", note);
      var described = area.getAttribute("aria-describedby");
      area.setAttribute("aria-describedby", (described ? described + " " : "") + note.id);
      function update() { note.textContent = area.value.length.toLocaleString("en-GB") + " of " + max.toLocaleString("en-GB") + " characters"; }
      area.addEventListener("input", update);
      update();
    });
  }

  function message(input) {
    var v = input.validity;
    var label = (document.querySelector("label[for='" + input.id + "']") || {}).textContent || "This field";
    label = label.replace(/\(optional\)/, "").trim();
    if (v.valueMissing) { return "Enter " + label.charAt(0).toLowerCase() + label.slice(1); }
    if (v.tooShort) { return "Use at least " + input.getAttribute("minlength") + " characters"; }
    if (v.tooLong) { return "Use at most " + input.getAttribute("maxlength") + " characters"; }
    if (v.patternMismatch) { return "Check the format of " + label.toLowerCase(); }
    if (v.rangeUnderflow || v.rangeOverflow) { return "Enter a number in the allowed range"; }
    return input.validationMessage;
  }

  // Tell people about a problem when they leave a field, not only after submitting.
  function inlineValidation() {
    document.querySelectorAll("form[data-inline-validation]").forEach(function (form) {
      form.querySelectorAll("input[required], input[minlength], input[maxlength], input[pattern], textarea[required], textarea[minlength], select[required]").forEach(function (input) {
        var field = input.closest(".field");
        if (!field || !input.id) { return; }
        function show() {
          var errorId = input.id + "-error";
          var existing = document.getElementById(errorId);
          if (input.checkValidity()) {
            if (existing && existing.hasAttribute("data-live")) { existing.remove(); }
            if (!existing || existing.hasAttribute("data-live")) {
              input.removeAttribute("aria-invalid");
              field.classList.remove("field-invalid");
            }
            return;
          }
          if (!existing) {
            existing = document.createElement("p");
            existing.className = "field-error";
            existing.id = errorId;
            existing.setAttribute("data-live", "");
            input.insertAdjacentElement("beforebegin", existing);
            var described = input.getAttribute("aria-describedby") || "";
            if (described.split(" ").indexOf(errorId) < 0) {
              input.setAttribute("aria-describedby", (described ? described + " " : "") + errorId);
            }
          }
          existing.textContent = message(input);
          input.setAttribute("aria-invalid", "true");
          field.classList.add("field-invalid");
        }
        input.addEventListener("blur", function () { if (input.value !== "" || input.required) { show(); } });
        input.addEventListener("input", function () { if (input.getAttribute("aria-invalid") === "true") { show(); } });
      });
    });
  }

  ready(function () {
    pickerLimits();
    counters();
    inlineValidation();
  });
})();
