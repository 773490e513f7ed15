// On a phone the main navigation is one row that scrolls sideways: show the current page's link.
const current = document.querySelector('.site-nav a[aria-current="page"]');
if (current) current.scrollIntoView({ block: "nearest", inline: "center" });
