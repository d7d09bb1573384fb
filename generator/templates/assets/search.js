/* triagebook: search the site with its own index (see docs/search.md). A query downloads
 * index.json, one shard a token and the page chunks of its results, never the whole index.
 * Tokens come from the same steps as the index's (generator/outputs/search_text.py): the
 * browser's own word segmentation, which differs between builds, decides nothing.
 * The words shown come from the page (data-labels), not from here. */
(function () {
  "use strict";

  var MAX = 10, CANDIDATES = 30;
  var CJK = [[0x3040, 0x30ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xac00, 0xd7af], [0xf900, 0xfaff], [0x20000, 0x3134f]];
  var WORD = /^[\p{L}\p{M}\p{N}_]$/u;

  function isCjk(ch) {
    var point = ch.codePointAt(0);
    return CJK.some(function (range) { return point >= range[0] && point <= range[1]; });
  }

  function normalize(text) { return text.normalize("NFKC").toLowerCase(); }

  /* Step 2 of the spec: [run, isCjk] pairs. */
  function runs(text) {
    var found = [], current = "", currentCjk = false;
    for (var ch of normalize(text)) {
      var cjk = isCjk(ch);
      if (cjk || WORD.test(ch)) {
        if (current && cjk !== currentCjk) { found.push([current, currentCjk]); current = ""; }
        current += ch; currentCjk = cjk;
      } else if (current) {
        found.push([current, currentCjk]); current = "";
      }
    }
    if (current) found.push([current, currentCjk]);
    return found;
  }

  /* The stemmer of generator/render/words.py; its suffixes come from the page. */
  var SUFFIXES = [], MIN_STEM = Infinity, LETTERS = /^\p{L}+$/u;
  function stem(word) {
    if (!LETTERS.test(word)) return word;
    var length = Array.from(word).length;
    for (var i = 0; i < SUFFIXES.length; i++) {
      var s = SUFFIXES[i];
      if (word.endsWith(s) && length - s.length >= MIN_STEM) return word.slice(0, -s.length);
    }
    return word;
  }

  function wordTokens(run) {
    var parts = run.split("_").filter(Boolean);
    return (parts.length > 1 ? [run].concat(parts) : parts.length ? [run] : []).map(stem);
  }

  function cjkTokens(run, singles) {
    var chars = Array.from(run), pairs = [];
    for (var i = 0; i + 1 < chars.length; i++) pairs.push(chars[i] + chars[i + 1]);
    return singles || chars.length === 1 ? pairs.concat(chars) : pairs;
  }

  function tokens(text, singles) {
    var found = [];
    runs(text).forEach(function (r) { found = found.concat(r[1] ? cjkTokens(r[0], singles) : wordTokens(r[0])); });
    return found;
  }

  /* What a query asks for: each word run whole (or, when the index lacks it, its parts),
   * each CJK pair. A page's score is the sum of its scores for these (BM25F, computed when
   * the site was built). */
  function units(query) {
    var found = [];
    runs(query).forEach(function (r) {
      if (r[1]) { cjkTokens(r[0], false).forEach(function (t) { found.push([t]); }); return; }
      var words = wordTokens(r[0]);
      if (words.length) found.push(words.length > 1 ? [words[0], words.slice(1)] : [words[0]]);
    });
    return found;
  }

  function fnv1a(token) {
    var bytes = new TextEncoder().encode(token), value = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) value = Math.imul(value ^ bytes[i], 0x01000193) >>> 0;
    return value;
  }

  function Index(url) {
    var cache = {}, base = new URL(url, document.baseURI);
    function get(path) {
      if (!cache[path]) {
        cache[path] = fetch(new URL(path, base)).then(function (response) {
          if (!response.ok) throw new Error(response.status + " " + path);
          return response.json();
        });
      }
      return cache[path];
    }
    this.meta = function () { return get("index.json"); };
    this.postings = function (meta, token) {
      return get(meta.key + "/t/" + (fnv1a(token) % meta.shards) + ".json").then(function (shard) {
        return Object.prototype.hasOwnProperty.call(shard, token) ? shard[token] : null;
      });
    };
    this.page = function (meta, number) {
      return get(meta.key + "/p/" + Math.floor(number / meta.pages_per_chunk) + ".json").then(function (rows) {
        var row = rows[number % meta.pages_per_chunk];
        return { number: number, path: row[0], title: row[1], kind: row[2], summary: row[3], codes: row[4] };
      });
    };
  }

  /* Page numbers with their scores, best first. */
  function rank(index, meta, query) {
    var asked = units(query);
    var wanted = [];
    asked.forEach(function (unit) { wanted.push(unit[0]); (unit[1] || []).forEach(function (t) { wanted.push(t); }); });
    return Promise.all(wanted.map(function (t) { return index.postings(meta, t); })).then(function (lists) {
      var byToken = {};
      wanted.forEach(function (t, i) { byToken[t] = lists[i]; });
      var pages = {};
      function add(list, share) {
        for (var i = 0; i < list.length; i += 2) {
          var page = pages[list[i]] || (pages[list[i]] = { number: list[i], score: 0 });
          page.score += list[i + 1] * share;
        }
      }
      asked.forEach(function (unit) {
        if (byToken[unit[0]]) { add(byToken[unit[0]], 1); return; }
        (unit[1] || []).forEach(function (part) { if (byToken[part]) add(byToken[part], 1 / unit[1].length); });
      });
      return Object.keys(pages).map(function (k) { return pages[k]; }).sort(function (a, b) {
        return b.score - a.score || a.number - b.number;
      });
    });
  }

  /* The rule named after the query first (its first code is the query), then pages with the
   * query among their codes, then rules whose title holds the whole query, then other pages
   * whose title does, then the rest; within a tier, by score. */
  function tier(page, query) {
    var q = normalize(query).trim().replace(/\s+/g, " ");
    var codes = page.codes.map(normalize);
    if (codes[0] === q) return 0;
    if (codes.indexOf(q) >= 0) return 1;
    if (normalize(page.title).indexOf(q) >= 0) return page.kind === "rule" ? 2 : 3;
    return 4;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The summary with the query's words marked, built from text nodes only. */
  function excerpt(text, query) {
    var out = element("p", "tb-search__excerpt");
    var words = runs(query).map(function (r) { return r[0]; }).filter(function (w) { return w.length > 1 || isCjk(w); });
    var lower = normalize(text), at = 0;
    if (lower.length !== text.length) { out.textContent = text; return out; }  // NFKC changed the length: no marks
    while (words.length && at < text.length) {
      var next = -1, length = 0;
      words.forEach(function (w) {
        var i = lower.indexOf(w, at);
        if (i >= 0 && (next < 0 || i < next)) { next = i; length = w.length; }
      });
      if (next < 0) break;
      out.appendChild(document.createTextNode(text.slice(at, next)));
      out.appendChild(element("mark", "", text.slice(next, next + length)));
      at = next + length;
    }
    out.appendChild(document.createTextNode(text.slice(at)));
    return out;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector(".tb-search");
    if (!box) return;
    var input = box.querySelector("#search-input");
    var results = box.querySelector("#search-results");
    var labels = JSON.parse(box.getAttribute("data-labels"));
    var stemming = JSON.parse(box.getAttribute("data-stem"));
    SUFFIXES = stemming.suffixes;
    MIN_STEM = stemming.min;
    var root = new URL(box.getAttribute("data-root"), document.baseURI);
    var index = new Index(box.getAttribute("data-index"));
    var latest = 0;

    function show(query, pages) {
      results.textContent = "";
      results.setAttribute("data-query", query);
      if (!pages.length) { results.appendChild(element("p", "tb-search__none", labels.none)); return; }
      var list = element("ol", "tb-search__results");
      pages.forEach(function (page) {
        var item = element("li", "tb-search__result");
        var link = element("a", "tb-search__title", page.title);
        link.href = new URL(page.path, root).href;
        item.appendChild(link);
        if (page.summary) item.appendChild(excerpt(page.summary, query));
        list.appendChild(item);
      });
      results.appendChild(list);
    }

    function run() {
      var query = input.value.trim(), ticket = ++latest;
      var address = new URL(window.location.href);
      if (query) address.searchParams.set("q", query); else address.searchParams.delete("q");
      window.history.replaceState(null, "", address);
      if (!query) { results.textContent = ""; results.removeAttribute("data-query"); return; }
      index.meta().then(function (meta) {
        return rank(index, meta, query).then(function (ranked) {
          return Promise.all(ranked.slice(0, CANDIDATES).map(function (p) { return index.page(meta, p.number); }));
        });
      }).then(function (pages) {
        if (ticket !== latest) return;  // a newer query is on its way
        var ordered = pages.map(function (page, i) { return [tier(page, query), i, page]; });
        ordered.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
        show(query, ordered.slice(0, MAX).map(function (x) { return x[2]; }));
      }).catch(function () {
        if (ticket === latest) { results.textContent = ""; results.appendChild(element("p", "tb-search__none", labels.failed)); }
      });
    }

    input.addEventListener("input", run);  // typing, pasting (context menu too), dropping text
    input.addEventListener("focus", function () { index.meta(); }, { once: true });
    var asked = new URLSearchParams(window.location.search).get("q");
    if (asked) { input.value = asked; run(); }
    window.triagebookSearchTokens = tokens;  // for the parity test with the index's tokenizer
  });
})();
