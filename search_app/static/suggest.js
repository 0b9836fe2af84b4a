// Type-ahead on the search box: the WAI-ARIA 1.2 combobox pattern (list autocomplete).
// Without JavaScript the box is a plain search field and the form is unchanged.
(function () {
  "use strict";
  var input = document.querySelector("#search-form input#q");
  if (!input || !window.fetch) { return; }
  var DELAY = 120;  // milliseconds after the last keystroke
  var form = input.form;
  var list = document.createElement("ul");
  list.id = "q-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");
  list.hidden = true;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  var wrapper = document.createElement("div");
  wrapper.className = "combobox";
  input.parentNode.insertBefore(wrapper, input);
  wrapper.appendChild(input);
  wrapper.appendChild(list);
  form.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  var options = [];
  var active = -1;
  var timer;
  var asked = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function highlight(index) {
    options.forEach(function (option, at) { option.setAttribute("aria-selected", at === index ? "true" : "false"); });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function render(suggestions) {
    list.textContent = "";
    options = suggestions.map(function (item, at) {
      var option = document.createElement("li");
      option.id = "q-suggestion-" + at;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.url = item.url;
      var name = document.createElement("span");
      name.className = "suggestion-name";
      name.textContent = item.value;
      var kind = document.createElement("span");
      kind.className = "count";
      var unit = item.type === "organization" ? "proposal" : "document";
      kind.textContent = " " + item.label + " · " + item.count.toLocaleString() + " " + unit + (item.count === 1 ? "" : "s");
      option.appendChild(name);
      option.appendChild(kind);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep focus in the box
      option.addEventListener("click", function () { go(at); });
      list.appendChild(option);
      return option;
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    list.hidden = options.length === 0;
    input.setAttribute("aria-expanded", options.length ? "true" : "false");
    status.textContent = options.length ? options.length + " suggestion" + (options.length === 1 ? "" : "s") + ", arrow keys to choose" : "";
  }
  function go(index) {
    var url = options[index] && options[index].dataset.url;
    if (url) { window.location.assign(url); }
  }
  function ask() {
    var typed = input.value.trim();
    if (typed.length < 2 || typed.indexOf(":") !== -1 || typed.indexOf("\"") !== -1) { asked = ""; render([]); return; }
    if (typed === asked) { return; }
    asked = typed;
    fetch(document.body.dataset.suggestUrl + "?q=" + encodeURIComponent(typed))
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (body) { if (input.value.trim() === typed && document.activeElement === input) { render(body.suggestions); } })
      .catch(function () { render([]); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, DELAY);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (list.hidden) { if (options.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); } else { ask(); } return; }
      event.preventDefault();
      highlight(active + 1 >= options.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp" && !list.hidden) {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();  // the chosen suggestion, not a search for the typed text
      go(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
})();
