// Small DOM helpers: elements built from data (text is never parsed as HTML), a toast, and
// the status badge every list shows.

/** `h("button", {onclick}, "Save")`: an element with attributes, properties and children. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function badge(status) {
  return h("span", { class: "status", "data-status": status }, String(status).replace(/_/g, " "));
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "—";
}

let toastTimer;
export function toast(message) {
  const element = document.getElementById("toast");
  element.textContent = message;
  element.classList.add("shown");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => element.classList.remove("shown"), 3500);
}

/** A labelled field; `input` is the control (its id ties the label to it). */
export function field(label, input) {
  return h("div", {}, h("label", { for: input.id }, label), input);
}

/** A form's error line, and a helper that shows an API error in it (with its fields). */
export function errorLine() {
  const line = h("p", { class: "error", role: "alert" });
  line.show = (error) => {
    const fields = (error.details || []).map((d) => `${d.field}: ${d.message}`).join("; ");
    line.textContent = fields ? `${error.message} (${fields})` : error.message;
  };
  line.clear = () => { line.textContent = ""; };
  return line;
}

/**
 * A form that calls the API: on submit, `submit(form)` runs with the form's error line
 * cleared, and an error it throws is shown there with the fields it names.
 */
export function apiForm(attrs, submit, ...children) {
  const error = errorLine();
  const form = h("form", {
    ...attrs,
    onsubmit: async (event) => {
      event.preventDefault();
      error.clear();
      try { await submit(form); } catch (e) { error.show(e); }
    },
  }, ...children, error);
  return form;
}

export function table(columns, rows, empty) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h("table", {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows));
}
