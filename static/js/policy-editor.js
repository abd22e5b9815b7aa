// The policy editor's node form: show the chosen check's parameters only, the "at least k"
// field only for that kind, and the check's rule in words as its parameters are typed.
// Without this script the form still works: every check's fieldset is shown.
(function () {
  "use strict";
  var form = document.querySelector("form.node-form");
  if (!form) return;
  form.classList.add("has-js");
  var checkSelect = form.querySelector("[data-check-select]");
  var kindSelect = form.querySelector("[data-kind-select]");
  var negate = form.querySelector("input[name=check_negate]");
  var output = form.querySelector("output.check-words");
  var timer = null;

  function chosen() {
    return form.querySelector('fieldset.check-params[data-check="' + checkSelect.value + '"]');
  }

  function showParams() {
    form.querySelectorAll("fieldset.check-params").forEach(function (fs) {
      var on = fs.dataset.check === checkSelect.value;
      fs.hidden = !on;
      fs.disabled = !on;
    });
    words();
  }

  function showKind() {
    var kind = kindSelect.value;
    form.querySelectorAll(".node-k").forEach(function (el) { el.hidden = kind !== "k_of_n"; });
    form.querySelectorAll(".node-check").forEach(function (el) { el.hidden = kind !== "leaf"; });
  }

  function words() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var fs = chosen();
      if (!fs) { output.textContent = ""; return; }
      var params = new URLSearchParams();
      params.set("check_name", checkSelect.value);
      if (negate && negate.checked) params.set("check_negate", "on");
      fs.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (el.type === "checkbox") { if (el.checked) params.append(el.name, "on"); }
        else params.append(el.name, el.value);
      });
      fetch(form.dataset.wordsUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { output.innerHTML = html; })
        .catch(function () { output.textContent = ""; });
    }, 250);
  }

  checkSelect.addEventListener("change", showParams);
  kindSelect.addEventListener("change", showKind);
  if (negate) negate.addEventListener("change", words);
  form.addEventListener("input", function (event) {
    if (event.target.closest("fieldset.check-params")) words();
  });
  showKind();
  showParams();
})();
