// Upload progress for the meter-data form: the bar follows the bytes sent; once they are all
// sent, the server is checking and writing, which the label says.
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest("#power-import");
  if (!form || !event.detail.lengthComputable) return;
  const bar = document.getElementById("import-progress");
  const stage = document.getElementById("import-stage");
  bar.hidden = false;
  bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  if (event.detail.loaded === event.detail.total) {
    stage.textContent = stage.dataset.checking;
    stage.hidden = false;
  }
});
document.addEventListener("htmx:afterRequest", (event) => {
  if (!event.target.closest || !event.target.closest("#power-import")) return;
  document.getElementById("import-progress").hidden = true;
  document.getElementById("import-stage").hidden = true;
});
