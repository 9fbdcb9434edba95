// The ALTCHA widget (static/vendor/altcha, the CSP-friendly "external" build) solves the form's
// proof of work in a Web Worker served by this site; it starts as soon as the page loads, so the
// person does nothing. Loaded as a module after the widget's own module.
const box = document.querySelector("[data-altcha-worker]");
if (box && globalThis.$altcha) {
  const workerUrl = box.getAttribute("data-altcha-worker");
  for (const algorithm of ["SHA-256", "SHA-384", "SHA-512"]) {
    globalThis.$altcha.algorithms.set(algorithm, () => new Worker(workerUrl));
  }
  box.querySelectorAll("altcha-widget").forEach((widget) => {
    widget.configure({ hideLogo: true, hideFooter: true });
    widget.verify();
  });
}
