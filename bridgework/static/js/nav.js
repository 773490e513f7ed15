// On a phone the main navigation is one row that scrolls sideways: show the current page's link.
const current = document.querySelector('.site-nav a[aria-current="page"]');
if (current) current.scrollIntoView({ block: "nearest", inline: "center" });

// A form shown again with errors opens at the top of the page, where an error far down a long
// form is easy to miss: take the keyboard, and the view, to the first field in error, or to
// the form's error summary when no field is marked. A page that chose its own focus keeps it.
const fieldError = document.querySelector('main [aria-invalid="true"], main .field__errors');
const errors = fieldError || document.querySelector("main .form-errors");
if (errors && !document.querySelector("main [autofocus]")) {
  const box = errors.closest(".field") || errors;
  const control = errors.matches("[aria-invalid]")
    ? errors
    : box.querySelector("input:not([type=hidden]), select, textarea");
  const target = control || box;
  if (!control) target.tabIndex = -1;
  box.closest("details")?.setAttribute("open", "");
  target.focus({ preventScroll: true });
  box.scrollIntoView({ block: "center" });
}
