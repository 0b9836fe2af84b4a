// Progressive enhancement only: every control also works as a plain form or link.
(function () {
  "use strict";
  // Submit a form as soon as a filter checkbox or a select changes.
  document.querySelectorAll(".autosubmit").forEach(function (control) {
    control.addEventListener("change", function () {
      if (control.form) { control.form.submit(); }
    });
  });
  // The facet forms submit themselves, so their buttons are only needed without JS.
  document.querySelectorAll("button.apply").forEach(function (button) { button.hidden = true; });
  // Filter long facet lists by name, opening "show more" while a filter is typed.
  document.querySelectorAll("input.facet-filter").forEach(function (box) {
    box.hidden = false;
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      var fieldset = document.getElementById(box.dataset.target);
      fieldset.querySelectorAll("li").forEach(function (item) {
        item.hidden = needle !== "" && item.textContent.toLowerCase().indexOf(needle) === -1;
      });
      var more = fieldset.querySelector("details");
      if (more && needle !== "") { more.open = true; }
    });
  });
})();
