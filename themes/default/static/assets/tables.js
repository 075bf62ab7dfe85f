/* journeyblog: a table wider than the screen scrolls sideways inside the post (site.css). A box
   that scrolls must be reachable by keyboard, so a table that overflows gets tabindex=0, and
   loses it when it fits again (no needless tab stop). Without this script the table still
   scrolls by touch and mouse. Loaded only by pages that have a table. */
(function () {
  "use strict";
  var tables = document.querySelectorAll(".prose table");
  function mark() {
    for (var i = 0; i < tables.length; i++) {
      if (tables[i].scrollWidth > tables[i].clientWidth + 1) tables[i].setAttribute("tabindex", "0");
      else tables[i].removeAttribute("tabindex");
    }
  }
  if (!tables.length) return;
  mark();
  window.addEventListener("resize", mark);
})();
