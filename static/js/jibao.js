// Behaviour that would otherwise be inline script (kept out of the HTML so that a strict
// Content-Security-Policy can forbid inline script).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});
