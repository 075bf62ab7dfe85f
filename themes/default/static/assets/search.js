/* journeyblog search: ranks the published posts in the browser, from search/index.json.
   A small site's index holds every post (version 1); a large site's (version 2) names its
   word chunks, and a query fetches only the chunks its words fall in and the posts it shows
   (docs/search.md). No third-party code and no requests beyond the index, fetched relative to
   this page, so search works from any static server and from any folder. Without this script
   the form still submits (?q=) and the page offers the archive, series, tags and authors. */
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
  var entries = null;
  var chunked = null;
  var timer = 0;
  var shownUpTo = 0;
  var PAGE = 20;  // results shown at once from a chunked index; "Show more" adds as many

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

  function fetchJSON(path) {
    return fetch(new URL(path, window.location.href)).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
  }

  // A chunk is fetched once; a query waits for the chunks its words need.
  function cached(store, path) {
    if (!store[path]) store[path] = fetchJSON(path);
    return store[path];
  }

  // The word chunks a term's words can be in: from the last chunk starting at or before
  // the term, on while the next chunk starts with it (the index sorts as JavaScript does).
  function chunksFor(term) {
    var firsts = chunked.index.words, low = 0, high = firsts.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (firsts[middle] <= term) low = middle; else high = middle - 1;
    }
    var found = [low];
    for (var next = low + 1; next < firsts.length && firsts[next].lastIndexOf(term, 0) === 0; next++) {
      found.push(next);
    }
    return found;
  }

  // Post number -> score for one term, as `score` gives it: the weightiest field a word
  // starting with the term is in (2 ** field), doubled for the whole word.
  function termScores(term, chunks) {
    var best = new Map();
    chunks.forEach(function (chunk) {
      Object.keys(chunk).forEach(function (word) {
        if (word.lastIndexOf(term, 0) !== 0) return;
        var whole = word === term ? 2 : 1, post = 0, steps = chunk[word];
        for (var i = 0; i < steps.length; i++) {
          post += steps[i] >> 2;
          var value = (1 << (steps[i] & 3)) * whole;
          if (!(best.get(post) >= value)) best.set(post, value);
        }
      });
    });
    return best;
  }

  function rankChunked(terms) {
    return Promise.all(terms.map(function (term) {
      return Promise.all(chunksFor(term).map(function (number) {
        return cached(chunked.words, "words/" + number + ".json");
      })).then(function (chunks) { return termScores(term, chunks); });
    })).then(function (scores) {
      var total = scores[0];
      for (var t = 1; t < scores.length; t++) {
        var next = new Map();
        total.forEach(function (value, post) {
          if (scores[t].has(post)) next.set(post, value + scores[t].get(post));
        });
        total = next;
      }
      return Array.from(total.keys()).sort(function (a, b) {
        return total.get(b) - total.get(a) || a - b;
      });
    });
  }

  function postsAt(numbers) {
    var per = chunked.index.per;
    return Promise.all(numbers.map(function (number) {
      return cached(chunked.posts, "posts/" + Math.floor(number / per) + ".json").then(function (chunk) {
        return chunk[number % per];
      });
    }));
  }

  function say(message, values) {
    return String(message || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
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
    moreButton.hidden = !more;
  }

  // Below the results: the next PAGE of a chunked index's results, fetched when asked for.
  var moreButton = element("button", "search-more", messages.more);
  moreButton.type = "button";
  moreButton.hidden = true;
  list.parentNode.insertBefore(moreButton, list.nextSibling);

  function run() {
    var query = input.value.trim();
    // One-letter words are not in the index (see journeyblog.search.words).
    var terms = Array.from(new Set(words(query))).filter(function (term) { return term.length > 1; });
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    if (!terms.length) {
      asked++;
      list.textContent = "";
      list.hidden = true;
      moreButton.hidden = true;
      status.textContent = "";
      return;
    }
    if (chunked) {
      runChunked(terms, query, PAGE);
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

  var asked = 0;  // the latest query: an answer to an older one is dropped

  function runChunked(terms, query, upTo) {
    var ask = ++asked;
    rankChunked(terms).then(function (ranked) {
      if (ask !== asked) return null;
      return postsAt(ranked.slice(0, upTo)).then(function (posts) {
        if (ask !== asked) return;
        shownUpTo = posts.length;
        moreButton.onclick = function () { runChunked(terms, query, shownUpTo + PAGE); };
        show(posts, query, ranked.length, ranked.length > posts.length);
      });
    }).catch(function () {
      if (ask === asked) status.textContent = messages.unavailable;
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
      if (index.version === 2) chunked = { index: index, words: {}, posts: {} };
      else entries = prepare(index);
      form.setAttribute("data-ready", "");
      if (input.value.trim()) run();
    })
    .catch(function () {
      status.textContent = messages.unavailable;
    });
})();
