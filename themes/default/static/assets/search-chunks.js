/* journeyblog search, a large site's chunked index (search/index.json version 2): finds the
   word chunks a query's words fall in, ranks their posts as search.js ranks a whole index,
   and fetches the posts it shows, PAGE at a time. Loaded by search.js only for such an index.
   `page` is what search.js lends it: show, say, element, list, status and messages. */
window.journeyblogSearchChunks = function (index, page) {
  "use strict";
  var PAGE = 20;  // results shown at once; "Show more" adds as many
  var chunked = { index: index, words: {}, posts: {} };
  var shownUpTo = 0;

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
  // A chunk that starts where the next one does is empty: never fetched.
  function chunksFor(term) {
    var firsts = chunked.index.words, low = 0, high = firsts.length - 1;
    while (low < high) {
      var middle = (low + high + 1) >> 1;
      if (firsts[middle] <= term) low = middle; else high = middle - 1;
    }
    // Only a term before every word lands on an empty chunk: the first, skipped too.
    var found = firsts[low] === firsts[low + 1] ? [] : [low];
    for (var next = low + 1; next < firsts.length && firsts[next].lastIndexOf(term, 0) === 0; next++) {
      if (firsts[next] !== firsts[next + 1]) found.push(next);
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

  // Below the results: the next PAGE of a chunked index's results, fetched when asked for.
  var moreButton = page.element("button", "search-more", page.messages.more);
  moreButton.type = "button";
  moreButton.hidden = true;
  page.list.parentNode.insertBefore(moreButton, page.list.nextSibling);

  var asked = 0;  // the latest query: an answer to an older one is dropped

  function runChunked(terms, query, upTo) {
    var ask = ++asked;
    rankChunked(terms).then(function (ranked) {
      if (ask !== asked) return null;
      return postsAt(ranked.slice(0, upTo)).then(function (posts) {
        if (ask !== asked) return;
        shownUpTo = posts.length;
        moreButton.onclick = function () { runChunked(terms, query, shownUpTo + PAGE); };
        page.show(posts, query, ranked.length, function () {
          moreButton.hidden = ranked.length <= posts.length;
        });
      });
    }).catch(function () {
      if (ask === asked) page.status.textContent = page.messages.unavailable;
    });
  }

  return function (terms, query) {
    if (!terms.length) {
      asked++;
      moreButton.hidden = true;
      return;
    }
    runChunked(terms, query, PAGE);
  };
};
