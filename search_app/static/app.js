// Progressive enhancement only: every control also works as a plain form or link.
(function () {
  "use strict";
  var searchForm = document.getElementById("search-form");
  // A filter ticked after typing a new query, or choosing a sort with the keyboard, keeps
  // what the search form shows now rather than what the page was served with.
  function servedValue(control) {
    if (control.tagName !== "SELECT") { return control.defaultValue; }
    var served = Array.prototype.filter.call(control.options, function (option) { return option.defaultSelected; });
    return (served[0] || control.options[0]).value;
  }
  function carrySearch(form) {
    if (!searchForm || form === searchForm) { return; }
    ["q", "sort", "per_page"].forEach(function (name) {
      var control = searchForm.elements[name];
      if (!control) { return; }
      var carried = form.querySelector("input[type=hidden][name=" + name + "]");
      if (!carried && control.value === servedValue(control)) { return; }  // a default stays out of the URL
      if (!carried) {
        carried = document.createElement("input");
        carried.type = "hidden";
        carried.name = name;
        form.appendChild(carried);
      }
      carried.value = control.value;
    });
  }
  // Submit a form as soon as a filter checkbox or a select changes; a select stepped
  // through with the keyboard waits for the Search button instead.
  document.querySelectorAll(".autosubmit").forEach(function (control) {
    control.addEventListener("keydown", function () { control.dataset.keyboard = "1"; });
    control.addEventListener("mousedown", function () { delete control.dataset.keyboard; });
    control.addEventListener("change", function () {
      if (control.tagName === "SELECT" && control.dataset.keyboard) { return; }
      if (control.form) {
        carrySearch(control.form);
        if (control.type === "checkbox") { rememberFocus(control); }
        control.form.submit();
      }
    });
  });
  // A ticked filter reloads the page: focus comes back to the same box, not the top.
  var FOCUS_KEY = "la2050-search-focus";
  function rememberFocus(box) {
    try { sessionStorage.setItem(FOCUS_KEY, JSON.stringify({ name: box.name, value: box.value })); } catch (e) { /* storage off */ }
  }
  (function restoreFocus() {
    var saved;
    try { saved = JSON.parse(sessionStorage.getItem(FOCUS_KEY) || "null"); sessionStorage.removeItem(FOCUS_KEY); } catch (e) { return; }
    if (!saved) { return; }
    var box = Array.prototype.find.call(document.querySelectorAll("#facet-form input[type=checkbox]"), function (input) {
      return input.name === saved.name && input.value === saved.value;
    });
    if (!box) { return; }
    var more = box.closest("details");
    if (more) { more.open = true; }
    box.focus();
  })();
  // The facet forms submit themselves, so their buttons are only needed without JS.
  document.querySelectorAll("button.apply").forEach(function (button) { button.hidden = true; });
  // Names compared as the server folds them: case, accents and punctuation ignored.
  function fold(text) {
    return text.toLowerCase().replace(/&/g, " and ").normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^0-9a-z]+/g, " ").trim();
  }
  // Filter long facet lists by name, opening "show more" while a filter is typed. The
  // server adds the values the words stand for (sfv, Pacoima: San Fernando Valley).
  document.querySelectorAll("input.facet-filter").forEach(function (box) {
    var fieldset = document.getElementById(box.dataset.target);
    var none = document.createElement("p");
    none.className = "no-match";
    none.hidden = true;
    none.setAttribute("role", "status");
    box.insertAdjacentElement("afterend", none);
    box.hidden = false;
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }  // it filters the list; it is not a search
    });
    var aliases = {};  // folded text -> values the server says it stands for
    function show() {
      var needle = fold(box.value);
      var also = aliases[needle] || [];
      var shown = 0;
      fieldset.querySelectorAll("li").forEach(function (item) {
        var input = item.querySelector("input");
        var named = fold(item.querySelector("label").textContent);
        item.hidden = needle !== "" && named.indexOf(needle) === -1 && also.indexOf(input.value) === -1;
        if (!item.hidden) { shown += 1; }
      });
      var more = fieldset.querySelector("details");
      if (more && needle !== "") { more.open = true; }
      none.hidden = shown > 0;
      none.textContent = shown > 0 ? "" : "No value matches “" + box.value.trim() + "”.";
    }
    var timer;
    box.addEventListener("input", function () {
      show();
      var needle = fold(box.value);
      clearTimeout(timer);
      if (needle.length < 2 || aliases[needle]) { return; }
      timer = setTimeout(function () {
        fetch(document.body.dataset.suggestUrl + "?limit=50&type=" + encodeURIComponent(fieldset.dataset.facet) + "&q=" + encodeURIComponent(box.value.trim()))
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (body) {
            aliases[needle] = body.suggestions.map(function (item) { return item.value; });
            if (fold(box.value) === needle) { show(); }
          })
          .catch(function () { /* offline: the names alone filter */ });
      }, 150);
    });
  });
  // Back and forward show the controls as the page was served, matching its URL.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form").forEach(function (form) { form.reset(); });
      document.querySelectorAll("input.facet-filter").forEach(function (box) {
        box.dispatchEvent(new Event("input"));  // the value lists follow their emptied boxes
      });
    }
  });
})();
