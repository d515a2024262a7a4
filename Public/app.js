// Wheelhouse: optional enhancements. Every page works without this file.
"use strict";

// Links to a form's anchor (e.g. Members#invite) focus its first field. Without JavaScript the
// field's `autofocus` does this when the page is opened without a fragment.
function focusTarget() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  const field = target && target.querySelector("textarea, input:not([type=hidden]), select");
  if (field) field.focus();
}

// Copies `text`, then says so on the button for two seconds.
function copyOnClick(button, text) {
  const label = button.textContent;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text());
      button.textContent = "Copied";
    } catch {
      button.textContent = "Select the text to copy it";
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}

// Copy buttons: a "Copy link" after each read-only `.copy-source` field (invitation links), and
// the hidden `button[data-copy]` buttons the pages carry (secret ids) are shown and wired.
function addCopyButtons() {
  if (!navigator.clipboard) return;
  for (const source of document.querySelectorAll("input.copy-source")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Copy link";
    copyOnClick(button, () => source.value);
    source.after(button);
  }
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    copyOnClick(button, () => button.dataset.copy);
  }
}

// A refused form's page starts with an error summary. `autofocus` focuses it without
// JavaScript; this also does when a browser skips autofocus (e.g. a restored page). Focusing
// scrolls it into view.
function focusErrorSummary() {
  const summary = document.getElementById("error-summary");
  if (!summary) return false;
  if (document.activeElement !== summary) summary.focus();
  return true;
}

document.addEventListener("DOMContentLoaded", () => {
  if (!focusErrorSummary()) focusTarget();
  addCopyButtons();
});
window.addEventListener("hashchange", focusTarget);
