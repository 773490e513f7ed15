// On a phone the main navigation is one row that scrolls sideways: show the current page's link.
const current = document.querySelector('.site-nav a[aria-current="page"]');
if (current) current.scrollIntoView({ block: "nearest", inline: "center" });

// A form shown again with errors opens at the top of the page, where an error far down a long
// form is easy to miss: take the keyboard, and the view, to the first field in error, or to
// the form's error summary when no field is marked. A page that chose its own focus keeps it.
function showFirstError(root) {
  const fieldError = root.querySelector('[aria-invalid="true"], .field__errors');
  const errors = fieldError || root.querySelector(".form-errors");
  if (!errors || root.querySelector("[autofocus]")) return;
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

const main = document.querySelector("main");
if (main) showFirstError(main);

// The same when htmx swaps in a form with errors, once the swap has settled. Only the part
// swapped in is looked at: after any other swap htmx has kept the keyboard on the button
// pressed, and it stays there.
document.addEventListener("htmx:afterSettle", (event) => showFirstError(event.target));

// An htmx request that fails would change nothing on screen: say so, in the words the page
// was given in its language, until a request works. A request sent after the session ended
// comes back as the sign-in page: that is not swapped in, and the person is told why.
const problem = document.getElementById("request-problem");
const toSignIn = (xhr) =>
  !!xhr?.responseURL && new URL(xhr.responseURL).pathname === problem.dataset.signInPath;

function say(words) {
  if (problem.textContent === words) return; // a poll failing again is not news
  const line = document.createElement("p");
  line.className = "message message--error";
  line.textContent = words;
  problem.replaceChildren(...(words ? [line] : []));
}

if (problem) {
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (toSignIn(event.detail.xhr)) Object.assign(event.detail, { shouldSwap: false, isError: true });
  });
  document.addEventListener("htmx:responseError", (event) =>
    say(toSignIn(event.detail.xhr) ? problem.dataset.signedOut : problem.dataset.outOfDate),
  );
  document.addEventListener("htmx:sendError", () => say(problem.dataset.unreachable));
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful) say("");
  });
}
