// The upload's progress on the import page: htmx reports the bytes sent.
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest ? event.target.closest("form.kl-import") : null;
  const bar = form && form.querySelector("progress");
  if (!bar || !event.detail.lengthComputable) return;
  bar.hidden = false;
  bar.value = (event.detail.loaded / event.detail.total) * 100;
});
