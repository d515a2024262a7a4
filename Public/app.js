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

// Copy buttons: a "Copy link" (or the field's `data-copy-label`, e.g. "Copy key") after each
// read-only `.copy-source` field (invitation links, a new API key), and the hidden
// `button[data-copy]` buttons the pages carry (secret ids) are shown and wired. A
// `.select-on-load` field (a new API key) is selected, so Ctrl+C copies it without the button.
function addCopyButtons() {
  for (const source of document.querySelectorAll("input.select-on-load")) {
    source.select();
    source.addEventListener("focus", () => source.select());
  }
  if (!navigator.clipboard) return;
  for (const source of document.querySelectorAll("input.copy-source")) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = source.dataset.copyLabel || "Copy link";
    copyOnClick(button, () => source.value);
    source.after(button);
  }
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    copyOnClick(button, () => button.dataset.copy);
  }
}

// Providers: while a connection test runs, poll the tab's status endpoint and update each row's
// status cell in place (without JavaScript the page reloads itself through a <noscript> refresh).
function showProviderStatus(cell, row) {
  const status = document.createElement("span");
  status.className = "status status-" + row.statusClass;
  status.textContent = row.status;
  const parts = [status];
  if (row.checked) {
    const when = document.createElement("time");
    when.dateTime = row.checkedISO;
    when.textContent = row.checked;
    const note = document.createElement("span");
    note.className = "muted";
    note.append("checked ", when);
    parts.push(document.createElement("br"), note);
  }
  if (row.error) {
    const error = document.createElement("span");
    error.className = "status-error-text";
    error.textContent = row.error;
    parts.push(document.createElement("br"), error);
  }
  cell.replaceChildren(...parts);
}

function pollProviderStatus() {
  const table = document.querySelector("table[data-provider-status]");
  if (!table || !table.querySelector(".status-testing")) return;
  const poll = async () => {
    try {
      const answer = await fetch(table.dataset.providerStatus, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!answer.ok) return;
      const data = await answer.json();
      for (const row of data.providers) {
        const cell = table.querySelector(`tr[data-provider-id="${CSS.escape(row.id)}"] td.provider-status`);
        if (cell) showProviderStatus(cell, row);
      }
      if (!data.pending) {
        const note = document.querySelector("[data-refresh-note]");
        if (note) note.hidden = true;
        return;
      }
    } catch {
      // A failed poll is retried; the Refresh link still works.
    }
    setTimeout(poll, 1000);
  };
  setTimeout(poll, 500);
}

// Disclosures shown open on wide screens by CSS (the settings menu): browsers without
// ::details-content get them opened here instead.
function openWideDisclosures() {
  if (CSS.supports("selector(::details-content)") || !matchMedia("(min-width: 721px)").matches) return;
  for (const details of document.querySelectorAll("details[data-wide-open]")) details.open = true;
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

// Compliance: while a data export is being built the page reloads every 3 s, so its progress
// moves (without JavaScript a <noscript> refresh does the same). Stops once nothing is building.
function reloadWhileBuilding() {
  if (document.querySelector("[data-reload-while-building]")) setTimeout(() => location.reload(), 3000);
  // A payment being charged, or awaiting the bank's answer, ends within a second or two.
  if (document.querySelector("[data-reload-soon]")) setTimeout(() => location.reload(), 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  openWideDisclosures();
  reloadWhileBuilding();
  if (!focusErrorSummary()) focusTarget();
  addCopyButtons();
  pollProviderStatus();
});
window.addEventListener("hashchange", focusTarget);
