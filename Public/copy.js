// Optional enhancement: "Copy id" buttons next to ids that are selectable text without JavaScript.
"use strict";
document.querySelectorAll("button[data-copy]").forEach((button) => {
  if (!navigator.clipboard) return;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(button.dataset.copy);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Select the id to copy it";
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});
