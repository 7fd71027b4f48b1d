/* The calculator's only script: three independent progressive enhancements, each a
   self-contained function that does nothing where its part of the page is absent. One file, so a
   fresh visit costs one script request (docs/performance.md, page weight). The page works the
   same without it.

   ES5 and no inline code anywhere: old embedded EHR browsers, and a CSP that forbids inline
   script (script-src 'self'). */

/* ---- 1. Auto-height in an EHR frame -------------------------------------------------------- */
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

/* ---- 2. Launch with inputs prefilled from the EHR ------------------------------------------ */
/* Launch with inputs prefilled from the EHR: /#kps=70&other_metastases=yes&mccormick_grade=3
   (docs/ehr-integration.md). The fragment after # is never sent to any server, so no access or
   proxy log keeps the values. This script takes it out of the address (and so out of the history
   entry), then sends it on as the form POST with prefill=1: the server shows the values marked
   "From the EHR: please confirm", validates them, and computes nothing until the surgeon presses
   the button (calculator/launch.py). Without JavaScript the form simply stays empty.

   ES5 and no inline code: old embedded browsers, and a CSP that forbids inline script. */
(function () {
  "use strict";
  var form = document.querySelector("form.calculator");
  if (!form) return;
  launch();
  // An EHR that reuses the frame for the next patient may only change the fragment: that does
  // not reload the page, so the previous patient's values would stay on screen. Launch again.
  window.addEventListener("hashchange", launch);

  function launch() {
    var hash = location.hash.replace(/^#/, "");
    if (hash.indexOf("=") < 0) return; // "#result", "#inputs": ordinary anchors
    if (window.history && history.replaceState) history.replaceState(null, "", location.pathname);

    var post = document.createElement("form");
    post.method = "post";
    post.action = form.getAttribute("action").split("#")[0];
    post.hidden = true;
    var pairs = hash.split("&");
    for (var i = 0; i < pairs.length && i < 20; i++) {
      var at = pairs[i].indexOf("=");
      if (at < 1) continue;
      var name = decode(pairs[i].slice(0, at));
      if (name !== "prefill") add(post, name, decode(pairs[i].slice(at + 1)).slice(0, 100));
    }
    add(post, "prefill", "1");
    document.body.appendChild(post);
    post.submit();
  }

  function add(post, name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    post.appendChild(input);
  }

  function decode(text) {
    try {
      return decodeURIComponent(text.replace(/\+/g, " "));
    } catch (e) {
      return ""; // malformed escape: dropped, and the server says nothing was sent for it
    }
  }
})();

/* ---- 3. Copy to note ------------------------------------------------------------------------- */
/* Copy to note: show the "Copy to clipboard" button beside the read-only summary and copy it on a
   click. The text is selected first, so if the browser refuses both ways of copying (a frame
   without clipboard permission, an old embedded browser), Ctrl+C still copies it. Without
   JavaScript the button stays hidden and the surgeon selects and copies by hand. What it says
   comes from the button's data-copied and data-selected, written in the page's language.

   ES5 and no inline code: old embedded browsers, and a CSP that forbids inline script. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy-from]");
  for (var i = 0; i < buttons.length; i++) setUp(buttons[i]);

  function setUp(button) {
    var text = document.getElementById(button.getAttribute("data-copy-from"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!text) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      text.focus();
      text.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text.value).then(copied, copyBySelection);
      } else {
        copyBySelection();
      }
    });
    function copyBySelection() {
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      if (ok) copied();
      else say(button.getAttribute("data-selected"));
    }
    function copied() {
      say(button.getAttribute("data-copied"));
    }
    function say(message) {
      if (status) status.textContent = message;
    }
  }
})();

/* ---- 4. Focus after a submit ----------------------------------------------------------------- */
/* A submit loads a new page, so a live region already in it announces nothing, and focus would
   land on the body. Move focus to what the surgeon asked for: the estimate's heading, or the
   error summary (whose items link to their fields). A screen reader then reads it. Without
   JavaScript the #result fragment still scrolls to the estimate, and the title names it.
   Runs before section 5, which removes the #result fragment from the address.

   ES5 and no inline code: old embedded browsers, and a CSP that forbids inline script. */
(function () {
  "use strict";
  if (location.hash !== "#result") return; // the form's action: only after a submit, never on a launch
  var target = document.getElementById("form-errors") || document.getElementById("result-heading");
  if (!target) return;
  target.focus();
  // Scrolling to #result after load clears focus in Chromium: focus again once it has happened.
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      if (document.activeElement === document.body) target.focus();
    }, 0);
  });
})();

/* ---- 5. A shared workstation: Back brings no patient back ----------------------------------- */
/* The next person at the workstation must not find the last patient's answers by pressing Back.
   - A page that answered a POST (an estimate, an EHR launch) is replaced in the history by the
     empty calculator's address, so Back, Forward or a reload fetch GET / and re-send nothing.
   - A page restored from the back-forward cache comes back exactly as it was left: a filled
     form is reset, and a page showing a patient's values is fetched again, empty.
   autocomplete="off" on the form (templates/index.html) stops the browser restoring the
   answers itself. Checked in Chromium by tests/test_browser_shared_workstation.py.

   ES5 and no inline code: old embedded browsers, and a CSP that forbids inline script. */
(function () {
  "use strict";
  var form = document.querySelector("form.calculator");
  if (!form) return;
  var patientShown = !!(document.getElementById("result") || document.querySelector(".prefill-banner"));
  if (patientShown && window.history && history.replaceState) {
    history.replaceState(null, "", location.pathname);
  }
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    if (patientShown) location.replace(location.pathname);
    else form.reset();
  });
})();
