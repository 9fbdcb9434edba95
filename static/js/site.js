// Print shows each link's address after it (site.css, @media print). The browser resolves every
// href to an absolute address: keep that in data-print-href so paper shows "https://…/articles/…",
// not "/articles/…", which means nothing on paper. Without scripts the print shows the href as is.
document.querySelectorAll('main a[href^="/"], main a[href^="http"]').forEach(function (link) {
  link.setAttribute("data-print-href", link.href);
});
