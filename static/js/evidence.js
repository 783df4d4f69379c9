// 佐证材料 in the editor: files dropped on an item of the sheet, a figure of the measures panel, a
// ledger entry or the evidence panel, or chosen with the panel's file picker, are uploaded one
// request each, in turn, with a progress bar and, when refused, the server's reason; then the panel reloads
// ("evidenceChanged") and the "佐证 N" chips follow its counts here, without reloading the sheet
// or the measures panel, where the drafter may be typing.
(() => {
  "use strict";

  const panel = () => document.getElementById("evidence-panel");
  const hasFiles = (event) => event.dataTransfer && Array.from(event.dataTransfer.types).includes("Files");

  // What a drop lands on: an item of the sheet (its ref), anything marked with a target, or the
  // panel's own drop zone (the claim chosen in its select).
  function dropTarget(element) {
    const item = element.closest("#sheet a.part[data-ref^='item-']");
    if (item) return { element: item, target: item.dataset.ref };
    const marked = element.closest("[data-evidence-target]");
    if (marked && marked.closest(".evidence-drop") === null) return { element: marked, target: marked.dataset.evidenceTarget };
    const zone = element.closest(".evidence-drop");
    if (zone) return { element: zone, target: zone.querySelector("select[name=target]").value };
    return null;
  }

  function csrfToken() {
    const field = document.querySelector("#evidence-panel input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // One upload at a time, in the order the files came: each waits with its bar at zero. The
  // server is spared parallel writes (SQLite takes one writer), the user sees the same progress.
  const queue = [];
  let uploading = false;

  function next() {
    const job = queue.shift();
    if (!job) {
      uploading = false;
      htmx.trigger(document.body, "evidenceChanged");
      // A report that lists its evidence as 附件 prints the list in the sheet.
      const body = document.getElementById("evidence-panel-body");
      if (body && body.hasAttribute("data-listed")) htmx.trigger(document.body, "measuresChanged");
      return;
    }
    uploading = true;
    send(job);
  }

  function queued(file, target) {
    const box = panel();
    const list = box.querySelector(".evidence-uploads");
    const row = document.createElement("li");
    row.className = "evidence-upload";
    row.dataset.testid = "evidence-upload";
    const name = document.createElement("span");
    name.className = "evidence-upload-name";
    name.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    const message = document.createElement("span");
    message.className = "evidence-upload-message";
    row.append(name, bar, message);
    list.append(row);
    return { file, target, row, bar, message, box };
  }

  function send({ file, target, row, bar, message, box }) {
    const fail = (text) => {
      row.classList.add("evidence-upload-refused");
      bar.remove();
      message.textContent = text;
      const close = document.createElement("button");
      close.type = "button";
      close.className = "btn-close btn-sm";
      close.setAttribute("aria-label", "×");
      close.addEventListener("click", () => row.remove());
      row.append(close);
    };

    const data = new FormData();
    data.append("files", file);
    data.append("target", target);
    const request = new XMLHttpRequest();
    request.open("POST", box.dataset.uploadUrl);
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
    });
    request.addEventListener("load", () => {
      let answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (error) {
        answer = null;
      }
      if (request.status === 200 && answer && answer.ok) {
        row.remove();
      } else {
        fail((answer && answer.message) || box.dataset.serverError);
      }
    });
    request.addEventListener("error", () => fail(box.dataset.networkError));
    request.addEventListener("loadend", next);
    request.send(data);
  }

  function upload(files, target) {
    if (!panel()) return;
    Array.from(files).forEach((file) => queue.push(queued(file, target)));
    if (!uploading) next();
  }

  // While files are dragged over the page, the places that take them are outlined; a file
  // dropped anywhere else is not opened by the browser in place of the editor (typed text is kept).
  let dragDepth = 0;
  document.addEventListener("dragenter", (event) => {
    if (!panel() || !hasFiles(event)) return;
    dragDepth += 1;
    document.body.classList.add("evidence-dragging");
  });
  document.addEventListener("dragleave", (event) => {
    if (!panel() || !hasFiles(event)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) document.body.classList.remove("evidence-dragging");
  });
  document.addEventListener("dragover", (event) => {
    if (!panel() || !hasFiles(event)) return;
    event.preventDefault();
    document.querySelectorAll(".evidence-drop-over").forEach((element) => element.classList.remove("evidence-drop-over"));
    const found = dropTarget(event.target);
    event.dataTransfer.dropEffect = found ? "copy" : "none";
    if (found) found.element.classList.add("evidence-drop-over");
  });
  document.addEventListener("drop", (event) => {
    if (!panel() || !hasFiles(event)) return;
    event.preventDefault();
    dragDepth = 0;
    document.body.classList.remove("evidence-dragging");
    document.querySelectorAll(".evidence-drop-over").forEach((element) => element.classList.remove("evidence-drop-over"));
    const found = dropTarget(event.target);
    if (found) upload(event.dataTransfer.files, found.target);
  });

  // A title is one line: Enter saves it (the change event of leaving the box) instead of a new line.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing || !event.target.matches(".evidence-title-input")) return;
    event.preventDefault();
    event.target.blur();
  });

  // --- The chips ---------------------------------------------------------------------------
  // Where a claim's chip stands: after its part in the sheet, in its figure's row, in its entry.
  function chipPlace(target) {
    const [kind, number] = target.split("-");
    if (kind === "item") return document.querySelector(`#sheet a.part[data-ref="${CSS.escape(target)}"]`);
    if (kind === "measure") return document.querySelector(`#measures-panel tr[data-measure="${CSS.escape(number)}"] th`);
    if (kind === "problem") return document.querySelector(`.ledger-entry[data-problem="${CSS.escape(number)}"] .ledger-meta`);
    return null;
  }

  function syncChips(body) {
    const box = panel();
    const counts = JSON.parse(body.dataset.counts || "{}");
    document.querySelectorAll(".editor-layout a.evidence-chip").forEach((chip) => {
      const target = chip.getAttribute("href").replace("#evidence-", "");
      if (!counts[target]) chip.remove();
    });
    Object.entries(counts).forEach(([target, count]) => {
      if (!target) return;
      const text = box.dataset.chipLabel.replace("%(count)d", count);
      let chip = document.querySelector(`.editor-layout a.evidence-chip[href="#evidence-${CSS.escape(target)}"]`);
      if (chip) {
        chip.textContent = text;
        return;
      }
      const place = chipPlace(target);
      if (!place) return;
      chip = document.createElement("a");
      chip.className = "evidence-chip";
      chip.href = `#evidence-${target}`;
      chip.dataset.testid = "evidence-chip";
      chip.title = box.dataset.chipTitle;
      chip.textContent = text;
      if (place.matches("a.part")) place.after(chip);
      else place.append(chip);
    });
  }

  // The claim chosen for the file picker stays chosen when the panel reloads after an upload.
  let chosenTarget = null;
  document.addEventListener("change", (event) => {
    if (event.target.matches("#evidence-panel select[name=target]")) chosenTarget = event.target.value;
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target.id !== "evidence-panel-body") return;
    syncChips(event.target);
    const select = event.target.querySelector("select[name=target]");
    if (select && chosenTarget !== null && Array.from(select.options).some((option) => option.value === chosenTarget)) {
      select.value = chosenTarget;
    }
  });

  document.addEventListener("change", (event) => {
    const picker = event.target;
    if (!picker.matches("#evidence-panel input[data-evidence-picker]")) return;
    const zone = picker.closest(".evidence-drop");
    upload(picker.files, zone.querySelector("select[name=target]").value);
    picker.value = "";
  });
})();
