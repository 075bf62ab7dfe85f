/* journeyblog search: ranks the published posts in the browser, from search/index.json.
   A small site's index holds every post (version 1); a large site's (version 2) names its
   word chunks, read by search-chunks.js, loaded only then (docs/search.md). No third-party
   code and no requests beyond the index, fetched relative to this page, so search works from
   any static server and from any folder. Without this script the form still submits (?q=)
   and the page offers the archive, series, tags and authors. */
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form || !window.fetch) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  // What the page says, in its language (search.html): messages with %(num)s and %(query)s.
  var messages = JSON.parse(form.getAttribute("data-messages") || "{}");
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
  // Counts as the page's language writes them ("1,234", "1 234"), as the page's own are.
  var numbers = window.Intl && Intl.NumberFormat ? new Intl.NumberFormat(document.documentElement.lang) : null;
  var entries = null;
  var chunked = null;  // a chunked index's query: set by search-chunks.js
  var timer = 0;
  var script = document.currentScript;

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

  function say(message, values) {
    return String(message || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      if (!(name in values)) return whole;
      var value = values[name];
      return typeof value === "number" && numbers ? numbers.format(value) : String(value);
    });
  }

  function sayCount(forms, count, values) {
    var form = (plurals && forms[plurals.select(count)]) || forms.other;
    values.num = count;
    return say(form, values);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function show(results, query, total, more) {
    list.textContent = "";
    if (total === undefined) total = results.length;
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
      if (post.series) {
        meta.appendChild(document.createTextNode(" · " + say(messages.inSeries, { part: post.part, series: post.series })));
      }
      item.appendChild(meta);
      item.appendChild(element("p", "summary", post.summary));
      list.appendChild(item);
    });
    list.hidden = results.length === 0;
    status.textContent = total
      ? sayCount(messages.matches, total, { query: query }) +
        (total > results.length ? " " + say(messages.showing, { num: results.length }) : "")
      : say(messages.none, { query: query });
    if (more !== undefined) more();
  }

  function run() {
    var query = input.value.trim();
    // One-letter words are not in the index (see journeyblog.search.words).
    var terms = Array.from(new Set(words(query))).filter(function (term) { return term.length > 1; });
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    if (!terms.length) {
      if (chunked) chunked([], query);
      list.textContent = "";
      list.hidden = true;
      status.textContent = "";
      return;
    }
    if (chunked) {
      chunked(terms, query);
      return;
    }
    if (!entries) {
      status.textContent = messages.loading;
      return;
    }
    var found = entries
      .map(function (entry) { return { entry: entry, score: score(entry, terms) }; })
      .filter(function (match) { return match.score > 0; })
      .sort(function (a, b) { return b.score - a.score || a.entry.order - b.entry.order; })
      .map(function (match) { return match.entry.post; });
    show(found, query);
  }

  // A chunked index: its reader, beside this script, hands back the query to run.
  function chunksReader(index) {
    return new Promise(function (resolve, reject) {
      var reader = document.createElement("script");
      reader.src = new URL("search-chunks.js", script.src).href;
      reader.onload = function () {
        chunked = window.journeyblogSearchChunks(index, {
          show: show, say: say, element: element, list: list, status: status, messages: messages
        });
        resolve();
      };
      reader.onerror = reject;
      document.head.appendChild(reader);
    });
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
      if (index.version === 2) return chunksReader(index);
      entries = prepare(index);
    })
    .then(function () {
      form.setAttribute("data-ready", "");
      if (input.value.trim()) run();
    })
    .catch(function () {
      status.textContent = messages.unavailable;
    });
})();
