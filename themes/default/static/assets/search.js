/* journeyblog search: ranks the published posts listed in search/index.json, in the browser.
   No third-party code and no requests beyond the index, which is fetched relative to this
   page, so search works from any static server and from any folder. Without this script the
   form still submits (?q=) and the page offers the archive, series, tags and authors. */
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var entries = null;
  var timer = 0;

  // The same words as journeyblog.search.words: accents dropped, lower case, letters+digits.
  function words(text) {
    var folded = String(text || "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    return folded.match(/[\p{L}\p{N}]+/gu) || [];
  }

  function prepare(index) {
    return index.posts.map(function (post, order) {
      return {
        post: post,
        order: order,
        fields: [
          [words(post.title), 8],
          [words([post.series, post.author].concat(post.tags).join(" ")), 4],
          [words(post.summary), 2],
          [post.words ? post.words.split(" ") : [], 1]
        ]
      };
    });
  }

  // Every term must match the start of some word; a whole-word match counts double.
  function score(entry, terms) {
    var total = 0;
    for (var t = 0; t < terms.length; t++) {
      var best = 0;
      for (var f = 0; f < entry.fields.length; f++) {
        var tokens = entry.fields[f][0], weight = entry.fields[f][1];
        for (var i = 0; i < tokens.length && best < weight * 2; i++) {
          if (tokens[i] === terms[t]) best = Math.max(best, weight * 2);
          else if (tokens[i].lastIndexOf(terms[t], 0) === 0) best = Math.max(best, weight);
        }
      }
      if (!best) return 0;
      total += best;
    }
    return total;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function show(results, query) {
    list.textContent = "";
    results.forEach(function (post) {
      var item = element("li", "post-card");
      var heading = element("h2", "post-card-title");
      var link = element("a", "", post.title);
      link.href = post.url;
      heading.appendChild(link);
      item.appendChild(heading);
      var meta = element("p", "meta");
      var time = element("time", "", post.date);
      time.dateTime = post.iso;
      meta.appendChild(time);
      meta.appendChild(document.createTextNode(" · " + post.author));
      if (post.series) meta.appendChild(document.createTextNode(" · " + post.part + " in " + post.series));
      item.appendChild(meta);
      item.appendChild(element("p", "summary", post.summary));
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
    var count = results.length === 1 ? "1 post matches" : results.length + " posts match";
    status.textContent = results.length
      ? count + " “" + query + "”."
      : "No post matches “" + query + "”. Try fewer or shorter words.";
  }

  function run() {
    var query = input.value.trim();
    // One-letter words are not in the index (see journeyblog.search.words).
    var terms = Array.from(new Set(words(query))).filter(function (term) { return term.length > 1; });
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    if (!terms.length) {
      list.textContent = "";
      list.hidden = true;
      status.textContent = "";
      return;
    }
    if (!entries) {
      status.textContent = "Loading the search index…";
      return;
    }
    var found = entries
      .map(function (entry) { return { entry: entry, score: score(entry, terms) }; })
      .filter(function (match) { return match.score > 0; })
      .sort(function (a, b) { return b.score - a.score || a.entry.order - b.entry.order; })
      .map(function (match) { return match.entry.post; });
    show(found, query);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run();
  });
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 120);
  });

  input.value = new URLSearchParams(window.location.search).get("q") || "";
  fetch(new URL("index.json", window.location.href))
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(function (index) {
      entries = prepare(index);
      form.setAttribute("data-ready", "");
      if (input.value.trim()) run();
    })
    .catch(function () {
      status.textContent = "Search is unavailable here; the archive lists every post.";
    });
})();
