/* journeyblog: which parts of a series this browser has read. A part counts as read once the
   reader has scrolled its end into view; the series block then marks the parts read, says "2 of 5
   read", and offers the first part not read yet. Kept in localStorage only, never sent
   anywhere, and forgotten with the block's button. Without this script the block is as it is. */
(function () {
  "use strict";
  var block = document.querySelector(".series-block[data-part]");
  if (!block) return;
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) return;
  var title = block.querySelector(".series-block-title a");
  var key = "journeyblog-read " + (title ? title.getAttribute("href") : location.pathname);
  var current = Number(block.getAttribute("data-part"));
  // What the block says, in the page's language (series_block.html).
  var messages = JSON.parse(block.getAttribute("data-messages") || "{}");
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
  function say(message, values) {
    return String(message || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }
  var parts = block.querySelectorAll(".series-parts li[data-part]");
  var status = document.createElement("p");
  status.className = "series-read";
  status.setAttribute("aria-live", "polite");
  status.hidden = true;
  var count = block.querySelector(".series-count");
  (count || block.firstElementChild).insertAdjacentElement("afterend", status);

  function load() {
    try {
      var read = JSON.parse(store.getItem(key) || "[]");
      return Array.isArray(read) ? read.filter(function (n) { return Number.isInteger(n); }) : [];
    } catch (e) { return []; }
  }
  function save(read) {
    try {
      if (read.length) store.setItem(key, JSON.stringify(read));
      else store.removeItem(key);
    } catch (e) { /* private browsing, or full: nothing is kept */ }
  }
  function show() {
    var read = load();
    var done = 0;
    var next = null;
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      var number = Number(part.getAttribute("data-part"));
      var isRead = read.indexOf(number) >= 0;
      var note = part.querySelector(".part-read-note");
      part.classList.toggle("part-read", isRead);
      if (isRead && !note) {
        note = document.createElement("span");
        note.className = "part-note part-read-note";
        note.textContent = " " + messages.read;
        (part.querySelector("a") || part).appendChild(note);
      } else if (!isRead && note) {
        note.remove();
      }
      if (isRead) done += 1;
      else if (!next && number !== current && part.querySelector("a")) next = part;
    }
    status.textContent = "";
    status.hidden = done === 0;
    if (!done) return;
    var forms = messages.readOf || {};
    var form = (plurals && forms[plurals.select(parts.length)]) || forms.other;
    status.appendChild(document.createTextNode(say(form, { read: done, num: parts.length })));
    if (next) {
      var link = document.createElement("a");
      link.href = next.querySelector("a").getAttribute("href");
      link.textContent = say(messages["continue"], { number: next.getAttribute("data-part") });
      status.appendChild(document.createTextNode(" · "));
      status.appendChild(link);
    }
    var forget = document.createElement("button");
    forget.type = "button";
    forget.className = "series-forget";
    forget.textContent = messages.forget;
    forget.addEventListener("click", function () { save([]); show(); });
    status.appendChild(document.createTextNode(" "));
    status.appendChild(forget);
  }
  show();

  var text = document.querySelector(".prose");
  if (!text || !("IntersectionObserver" in window)) return;
  var end = document.createElement("div");
  end.className = "read-end";
  end.setAttribute("aria-hidden", "true");
  text.insertAdjacentElement("afterend", end);
  // Read means scrolled to the end: a part whose end shows as it opens is not read yet.
  var visible = false;
  var done = false;
  function mark() {
    if (done || !visible || window.scrollY <= 0) return;
    done = true;
    var read = load();
    if (read.indexOf(current) < 0) {
      read.push(current);
      read.sort(function (a, b) { return a - b; });
      save(read);
      show();
    }
    watch.disconnect();
    window.removeEventListener("scroll", mark);
  }
  var watch = new IntersectionObserver(function (seen) {
    visible = seen[seen.length - 1].isIntersecting;
    mark();
  });
  watch.observe(end);
  window.addEventListener("scroll", mark, { passive: true });
})();
