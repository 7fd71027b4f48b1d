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
