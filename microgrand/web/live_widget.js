// microgrand live view as a notebook widget (anywidget): `LiveView.widget()` in
// microgrand/pages/live.py. The model's `fragment` trait is the live page's HTML; its script
// is re-created so that it runs, and the page's "mg-change" events report every input's
// number back to Python (the `values` trait).
function render({ model, el }) {
  el.innerHTML = model.get("fragment");
  const old = el.querySelector("script:not([type])");
  const code = old.textContent;
  const s = document.createElement("script");
  el.querySelector(".mg-page").appendChild(s);
  s.textContent = code;
  const page = el.querySelector(".mg-live");
  if (page) {
    page.addEventListener("mg-change", (e) => {
      model.set("values", e.detail.values);
      model.save_changes();
    });
  }
}
export default { render };
