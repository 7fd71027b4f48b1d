/* Copy to note: show the "Copy to clipboard" button beside the read-only summary and copy it on a
   click. The text is selected first, so if the browser refuses both ways of copying (a frame
   without clipboard permission, an old embedded browser), Ctrl+C still copies it. Without
   JavaScript the button stays hidden and the surgeon selects and copies by hand.

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
      else say("The text is selected: press Ctrl+C (Cmd+C on a Mac) to copy it.");
    }
    function copied() {
      say("Copied to the clipboard.");
    }
    function say(message) {
      if (status) status.textContent = message;
    }
  }
})();
