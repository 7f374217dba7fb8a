// Secrets shown once (a setup link, a token): a button that copies the field, shown only where
// this script runs (the field itself is read-only and selectable without it).
document.querySelectorAll("button[data-copies]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copies"));
  var done = document.getElementById(button.getAttribute("data-copied"));
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(field.value).then(function () {
      if (done) done.textContent = done.getAttribute("data-text");
    });
  });
  field.addEventListener("focus", function () { field.select(); });
});
