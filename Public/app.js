// Wheelhouse: optional enhancements. Every page works without this file.
"use strict";

// Links to a form's anchor (e.g. Members#invite) focus its first field. Without JavaScript the
// field's `autofocus` does this when the page is opened without a fragment.
function focusTarget() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  const field = target && target.querySelector("textarea, input:not([type=hidden]), select");
  if (field) field.focus();
}

// A "Copy" button next to each read-only value marked `.copy-source` (invitation links, ids).
function addCopyButtons() {
  if (!navigator.clipboard) return;
  for (const source of document.querySelectorAll("input.copy-source")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Copy link";
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.value);
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = "Copy link"; }, 2000);
    });
    source.after(button);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  focusTarget();
  addCopyButtons();
});
window.addEventListener("hashchange", focusTarget);
