/* The review queue: J/K move between cases, Enter opens (a link), O opens the first case. */
(function () {
  "use strict";
  const links = Array.from(document.querySelectorAll("#queue a.open"));
  if (!links.length) return;
  let i = -1;
  function move(to) {
    i = Math.max(0, Math.min(links.length - 1, to));
    links.forEach((a, n) => a.closest("tr").classList.toggle("current", n === i));
    links[i].focus();
  }
  links.forEach((a, n) => a.addEventListener("focus", () => {
    i = n;
    links.forEach((b, m) => b.closest("tr").classList.toggle("current", m === n));
  }));
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.matches && e.target.matches("input, select, textarea")) return;
    if (e.key === "j") { e.preventDefault(); move(i + 1); }
    else if (e.key === "k") { e.preventDefault(); move(i - 1); }
    else if (e.key === "o") { e.preventDefault(); window.location.assign(links[0].href); }
  });
})();
