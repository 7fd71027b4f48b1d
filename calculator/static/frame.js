/* Auto-height. When the calculator is shown in a frame (the EHR), tell the parent page how tall
   the content is, so the host can size the frame without scrollbars (README, "Embedding in the
   EHR"). The message is {type: "calculator:height", height: <CSS pixels>} and nothing else.

   It goes only to the origins allowed to frame the page (CALCULATOR_FRAME_ANCESTORS, rendered
   into <html data-frame-ancestors>), never to "*": a browser drops a message whose target origin
   is not the parent's, so even a browser that ignores CSP frame-ancestors never tells a foreign
   parent anything. document.referrer cannot name the parent (Referrer-Policy: no-referrer).

   ES5 and no inline code: old embedded browsers, and a CSP that forbids inline script. The page
   works the same without this file; the host then keeps its own frame height. */
(function () {
  "use strict";
  var root = document.documentElement;
  if (window.parent === window || !window.postMessage) return;

  var own = location.protocol + "//" + location.host;
  var sources = (root.getAttribute("data-frame-ancestors") || "").split(/\s+/);
  var targets = [];
  for (var i = 0; i < sources.length; i++) {
    if (sources[i] === "'self'") targets.push(own);
    else if (/^https?:\/\/[^*\/]+$/.test(sources[i])) targets.push(sources[i]); // exact origins only
  }

  // Chromium and Safari name the parent's origin: post there only, if it is allowed. Elsewhere
  // (Firefox) post to each allowed origin; the browser delivers at most the parent's copy.
  var ancestors = location.ancestorOrigins;
  if (ancestors && ancestors.length) {
    var parentOrigin = ancestors[0];
    var allowed = false;
    for (var j = 0; j < targets.length; j++) allowed = allowed || targets[j] === parentOrigin;
    targets = allowed ? [parentOrigin] : [];
  }
  if (!targets.length) return;

  var lastHeight = -1;
  function send() {
    // The content's height, not the frame's: the <html> box, which the host's frame height does
    // not stretch (no height: 100% anywhere), so the frame can also shrink.
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    for (var k = 0; k < targets.length; k++) {
      window.parent.postMessage({ type: "calculator:height", height: height }, targets[k]);
    }
  }

  send();
  window.addEventListener("load", send);
  window.addEventListener("resize", send);
  if (window.ResizeObserver) {
    new window.ResizeObserver(send).observe(root);
  } else if (window.MutationObserver) {
    new window.MutationObserver(send).observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
  }
})();
