// 季报 front-end behaviour. Kept out of the HTML so that a strict Content-Security-Policy
// can forbid inline script. Everything here is an enhancement: the pages work without it.
(function () {
  "use strict";

  // Language menu: submit on change.
  document.addEventListener("change", (event) => {
    if (event.target.matches("select[data-autosubmit]")) {
      event.target.form.submit();
    }
  });

  // A form whose action cannot be taken back (审定通过 locks the report) asks once before it is sent.
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // The review page's suggestion box: 取消 empties its slot, and the part it was opened from
  // can be clicked again.
  document.addEventListener("click", (event) => {
    const close = event.target.closest("[data-close-suggest]");
    if (!close) return;
    const slot = close.closest(".suggest-slot");
    if (slot) slot.innerHTML = "";
  });

  // --- Unsaved edits ------------------------------------------------------------------------
  // A part form is "dirty" once its text differs from what it showed when opened.
  const dirtyForms = () => Array.from(document.querySelectorAll("form[data-part-form][data-dirty]"));

  document.addEventListener("input", (event) => {
    const form = event.target.closest("form[data-part-form]");
    if (form) form.setAttribute("data-dirty", "");
  });

  window.addEventListener("beforeunload", (event) => {
    if (dirtyForms().length) {
      event.preventDefault();
      event.returnValue = ""; // the browser shows its own "leave the page?" question
    }
  });

  // Every write answers with the whole sheet; before a request would replace a form that
  // holds unsaved text (other than the one being saved), or open another part beside it, ask.
  // Requests that swap something else (the check panel refreshing after a save) never ask: the
  // save's answer would otherwise meet its own form still marked unsaved and question the user.
  document.addEventListener("htmx:confirm", (event) => {
    const trigger = event.detail.elt;
    const target = event.detail.target;
    const ownForm = trigger.closest("form[data-part-form]");
    const isSave = ownForm && event.detail.verb === "post" && !trigger.matches("[data-structural]");
    const opensPart = trigger.matches("#sheet a.part");
    const others = dirtyForms().filter(
      (form) => !(isSave && form === ownForm) && (opensPart || (target && target.contains(form))),
    );
    // A background refresh of the sheet (a measure changed) waits while someone is typing.
    if (trigger.id === "sheet") {
      if (others.length) event.preventDefault();
      return;
    }
    if (!others.length) return;
    event.preventDefault();
    const question = document.body.dataset.unsavedQuestion || "有尚未保存的修改，继续将丢失这些修改。确定继续吗？";
    if (window.confirm(question)) {
      others.forEach((form) => form.removeAttribute("data-dirty"));
      event.detail.issueRequest(true);
    }
  });

  // A form that was submitted is no longer dirty when its answer arrives.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = event.detail.requestConfig && event.detail.requestConfig.elt.closest("form[data-part-form]");
    if (form && event.detail.shouldSwap) form.removeAttribute("data-dirty");
  });

  // Failed requests: the form and its text stay where they are; say what happened.
  function announce(message) {
    const box = document.getElementById("editor-messages");
    if (!box) return window.alert(message);
    box.innerHTML = "";
    const alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    box.appendChild(alert);
  }
  document.addEventListener("htmx:responseError", () => {
    announce(document.body.dataset.serverError || "保存失败：服务器出错。您输入的内容仍在页面上，请稍后再试。");
  });
  document.addEventListener("htmx:sendError", () => {
    announce(document.body.dataset.networkError || "无法连接服务器。您输入的内容仍在页面上，请检查网络后再保存。");
  });

  // Clear the messages area on every successful write so old notices do not linger.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful && event.detail.requestConfig.verb === "post") {
      const box = document.getElementById("editor-messages");
      if (box && event.detail.target !== box) box.innerHTML = "";
    }
  });

  // --- While the sheet refreshes -------------------------------------------------------------
  // A changed measure reloads the whole sheet in the background. A part clicked meanwhile would
  // open its form in the old sheet, which the new one then replaces: the click would be lost
  // (and text typed into that form with it). Hold the click and open the part in the new sheet.
  // Another figure saved meanwhile asks for a refresh that htmx queues on the old sheet and
  // drops once that sheet is swapped out: note it and refresh once more.
  // The refresh is over when its request has ended and the new sheet is wired (settled); htmx
  // reports the two in either order, depending on the settle delay.
  let sheetLoading = false;
  let sheetSettled = true;
  let heldRef = null;
  let sheetStale = false;
  // Capture phase: seen before htmx's own listener on the body starts (or queues) a request.
  document.addEventListener("measuresChanged", () => {
    if (sheetLoading || !sheetSettled) sheetStale = true;
  }, true);
  const openHeld = () => {
    const ref = heldRef;
    heldRef = null;
    const part = ref && document.querySelector(`#sheet a.part[data-ref="${CSS.escape(ref)}"]`);
    if (part) part.click();
  };
  const refreshEnded = () => {
    if (sheetLoading || !sheetSettled) return;
    if (heldRef) openHeld();
    if (sheetStale) {
      sheetStale = false;
      htmx.trigger(document.body, "measuresChanged");
    }
  };
  // requestConfig.elt is the element that sent the request even once it has been swapped out.
  const isSheetRefresh = (event) => event.detail.requestConfig?.elt?.id === "sheet";
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (!isSheetRefresh(event)) return;
    sheetLoading = true;
    sheetSettled = false;
  });
  document.addEventListener("htmx:confirm", (event) => {
    const part = event.detail.elt;
    if (sheetLoading && part.matches("#sheet a.part")) {
      event.preventDefault();
      heldRef = part.dataset.ref;
    }
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (!isSheetRefresh(event)) return;
    sheetLoading = false;
    // A failed refresh leaves the old sheet, wired already.
    if (!event.detail.successful) sheetSettled = true;
    refreshEnded();
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.id !== "sheet" || sheetSettled) return;
    sheetSettled = true;
    refreshEnded();
  });

  // --- Entries of the check panel and of a refused submission -------------------------------
  // An entry names a part: open that part's form (as a click on it in the sheet does, asking
  // first about unsaved text elsewhere), or put the cursor in it if it is open already; a figure
  // of the measures panel gets the cursor in its box. Without the part on the page the link
  // is followed as it is.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-open-part]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const ref = link.dataset.openPart;
    const open = document.querySelector(`.ed-form[data-ref="${CSS.escape(ref)}"]`);
    // A part of the report's own not yet written (no 落款 at all) has its "＋" button instead.
    const part = document.querySelector(`#sheet a.part[data-ref="${CSS.escape(ref)}"]`)
      || document.querySelector(`#sheet .ed-missing a[href$="/edit/${CSS.escape(ref)}/"]`);
    const row = link.dataset.measure && `#measures-panel tr[data-measure="${CSS.escape(link.dataset.measure)}"]`;
    const box = ref === "measures" && row && document.querySelector(`${row} input[name=value]`);
    const field = open ? open.querySelector("textarea, input[type=text]") : box;
    if (!field && !part) return;
    event.preventDefault();
    if (field) {
      field.focus();
      field.scrollIntoView({ block: "center", behavior: "instant" });
    } else {
      part.click();
    }
  });

  // --- Measures -----------------------------------------------------------------------------
  // Enter in a figure's box saves it and moves to the next figure, as in a spreadsheet (and
  // never sends the one-field form as a plain page post). Leaving the box is what saves it:
  // its change event fires as the focus moves.
  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (event.key !== "Enter" || event.isComposing || !box.matches("#measures-panel input[name=value]")) return;
    event.preventDefault();
    const boxes = Array.from(document.querySelectorAll("#measures-panel input[name=value]"));
    const next = boxes[boxes.indexOf(box) + 1];
    if (next) {
      next.focus();
      next.select();
    } else {
      box.blur();
    }
  });

  // "插入统计数": put ｛名称｝ at the cursor of the form's text box.
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!select.matches("select[data-insert-measure]") || !select.value) return;
    const form = select.closest("form");
    const box = form.querySelector("textarea");
    if (box) {
      const start = box.selectionStart ?? box.value.length;
      const end = box.selectionEnd ?? box.value.length;
      box.value = box.value.slice(0, start) + select.value + box.value.slice(end);
      box.focus();
      box.selectionStart = box.selectionEnd = start + select.value.length;
      form.setAttribute("data-dirty", "");
    }
    select.value = "";
  });

  // Opening a part puts the cursor in its first field.
  document.addEventListener("htmx:afterSettle", () => {
    const form = document.querySelector(".ed-form:not([data-focused])");
    if (!form) return;
    form.setAttribute("data-focused", "");
    const field = form.querySelector("textarea, input[type=text]");
    if (field) {
      field.focus();
      field.scrollIntoView({ block: "center", behavior: "instant" });
    }
  });

  // The new report form: an annual report is usually drafted from the year's quarters, and
  // drafting from the quarters is only for an annual report; choosing one picks the other.
  document.addEventListener("change", (event) => {
    const form = event.target.closest("form[data-new-report]");
    if (!form) return;
    const period = form.querySelector("select[name=quarter]");
    const source = form.querySelector("select[name=copy_from]");
    if (event.target === period && period.value === "annual") source.value = "quarters";
    if (event.target === source && source.value === "quarters") period.value = "annual";
  });

  // A file asked for by a click downloads by itself once it is ready (the export job's page), once.
  const startDownload = () => {
    const link = document.querySelector("a[data-autostart]:not([data-started])");
    if (!link) return;
    link.setAttribute("data-started", "");
    link.click();
  };
  document.addEventListener("DOMContentLoaded", startDownload);
  document.addEventListener("htmx:afterSettle", startDownload);
})();
