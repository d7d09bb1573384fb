/* triagebook: paste an error, get the rule. Ranks with /api/v1/diagnose.json exactly as
 * `triagebook diagnose` does (docs/diagnose.md); the text never leaves the page and is not
 * stored. Words shown to the reader come from the page (data-labels), not from here. */
(function () {
  "use strict";

  function rx(pattern, flags, global) {
    return new RegExp(pattern, (global ? "g" : "") + (flags || ""));
  }

  function codePoints(text, limit) {
    var chars = Array.from(text);
    return chars.length > limit ? chars.slice(0, limit).join("") : text;
  }

  var ESCAPES = /\\(?:r\\n|[nrt"'\/]|u([0-9a-fA-F]{4}))/g;
  var ENTITY = /&(?:#([0-9]{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot|apos|nbsp));/g;
  var NAMED = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: " " };
  var SIMPLE = { t: " ", '"': '"', "'": "'", "/": "/" };

  function Diagnoser(data) {
    var spec = data.text;
    this.data = data;
    this.spec = spec;
    this.blank = rx(spec.blank, "", true);
    this.tags = rx(spec.tags[0], spec.tags[1], true);
    this.frames = spec.frames.map(function (p) { return rx(p[0], p[1], true); });
    this.noise = spec.noise.map(function (p) { return rx(p[0], p[1], true); });
    this.word = rx(spec.token, "", true);
    this.stop = new Set(spec.stopwords);
    this.cjkStop = new Set(spec.cjk_stopwords);
    this.before = new Set(spec.status_before);
    this.after = new Set(spec.status_after);
    this.vocabulary = new Set();
    for (var key in data.features) {
      if (key.slice(0, 2) === "c:" && Array.from(key).length > 3) this.vocabulary.add(key.slice(2));
    }
    this.extractors = {};
    for (var kind in data.extractors) {
      this.extractors[kind] = data.extractors[kind].map(function (p) { return rx(p[0], p[1], false); });
    }
    this.placeholder = rx(data.secret_placeholder, "i", false);
    this.secrets = [];
    for (var i = 0; i < data.secrets.length; i++) {
      try {
        this.secrets.push([data.secrets[i][0], rx(data.secrets[i][1], data.secrets[i][2], true)]);
      } catch (e) {
        /* a detector written for Python only: the others still run */
      }
    }
  }

  Diagnoser.prototype.normalize = function (text) {
    text = codePoints(text, this.spec.max_chars);
    text = text.replace(ESCAPES, function (m, hex) {
      return hex ? String.fromCharCode(parseInt(hex, 16)) : (SIMPLE[m[1]] || "\n");
    });
    text = text.replace(/\r\n/g, "\n").replace(/\r/g, "\n").replace(this.blank, " ");
    text = text.replace(this.tags, " ");
    text = text.replace(ENTITY, function (m, dec, hex, name) {
      if (name) return NAMED[name];
      var code = dec ? parseInt(dec, 10) : parseInt(hex, 16);
      return code > 0 && code < 0x110000 && !(code >= 0xd800 && code < 0xe000)
        ? String.fromCodePoint(code) : " ";
    });
    this.frames.forEach(function (p) { text = text.replace(p, ""); });
    this.noise.forEach(function (p) { text = text.replace(p, " "); });
    return text;
  };

  Diagnoser.prototype.segment = function (run) {
    var words = [], i = 0, longest = this.data.longest_word;
    while (i < run.length) {
      for (var size = Math.min(longest, run.length - i); size > 0; size--) {
        if (size === 1 || this.vocabulary.has(run.slice(i, i + size))) {
          words.push(run.slice(i, i + size));
          i += size;
          break;
        }
      }
    }
    return words;
  };

  function isLower(text) { return /[a-z]/.test(text) && !/[A-Z]/.test(text); }

  Diagnoser.prototype.stem = function (word) {
    var suffixes = this.spec.suffixes;
    for (var i = 0; i < suffixes.length; i++) {
      var s = suffixes[i];
      if (word.endsWith(s) && word.length - s.length >= 4) return word.slice(0, -s.length);
    }
    return word;
  };

  Diagnoser.prototype.isStatus = function (tokens, i) {
    for (var j = Math.max(0, i - 2); j < i; j++) {
      if (this.before.has(tokens[j].toLowerCase())) return true;
    }
    var next = i + 1 < tokens.length ? tokens[i + 1].toLowerCase() : "";
    // "OpenAIError: 408", "HTTPError 502": a number right after an error's name is a status
    var named = i > 0 && /(error|exception)$/.test(tokens[i - 1].toLowerCase());
    return named || this.after.has(next) || tokens.length <= 2;
  };

  Diagnoser.prototype.features = function (text) {
    var tokens = text.match(this.word) || [];
    var found = new Map(), previous = null, self = this;
    function add(key, shown) { if (!found.has(key)) found.set(key, shown); }
    tokens.forEach(function (token, i) {
      if (token[0] >= "\u3040") {
        previous = null;
        self.segment(token).forEach(function (w) {
          if (w.length > 1 && !self.cjkStop.has(w)) add("c:" + w, w);  // a lone character says little
        });
        return;
      }
      if (/^[0-9]+$/.test(token)) {
        previous = null;
        var n = parseInt(token, 10);
        if (token.length === 3 && n >= 100 && n <= 599 && self.isStatus(tokens, i)) add("s:" + token, token);
        else if (token.length >= 2 && token.length <= 5) add("n:" + token, token);
        return;
      }
      var word = token.toLowerCase();
      if (self.stop.has(word) || word.length === 1) { previous = null; return; }
      if (/^[A-Za-z]+$/.test(token) && (isLower(token) || isLower(token.slice(1)))) word = self.stem(word);
      add("w:" + word, token);
      if (previous) add("p:" + previous[0] + " " + word, previous[1] + " " + token);
      previous = [word, token];
    });
    return Array.from(found, function (entry) { return { key: entry[0], shown: entry[1] }; });
  };

  Diagnoser.prototype.rank = function (text, top) {
    var data = this.data, scores = new Map(), reasons = new Map();
    this.features(this.normalize(text)).forEach(function (feature) {
      var postings = data.features[feature.key];
      if (!postings) return;
      for (var i = 0; i < postings.length; i += 3) {
        var rule = postings[i], weight = postings[i + 1];
        var kind = feature.key.slice(0, 2) === "s:" ? "status" : data.reason_kinds[data.fields[postings[i + 2]]];
        scores.set(rule, (scores.get(rule) || 0) + weight);
        if (!reasons.has(rule)) reasons.set(rule, []);
        reasons.get(rule).push({ weight: weight, kind: kind, text: feature.shown });
      }
    });
    var ranked = Array.from(scores.keys()).filter(function (rule) {
      return scores.get(rule) >= data.min_score * data.scale;
    });
    ranked.sort(function (a, b) { return scores.get(b) - scores.get(a) || a - b; });
    return ranked.slice(0, top || ranked.length).map(function (rule) {
      var why = reasons.get(rule).slice().sort(function (a, b) { return b.weight - a.weight; });
      return {
        rule: data.rules[rule],
        score: scores.get(rule) / data.scale,
        reasons: why.slice(0, data.max_reasons)
      };
    });
  };

  Diagnoser.prototype.findSecrets = function (text) {
    var found = [], placeholder = this.placeholder;
    this.secrets.forEach(function (entry) {
      var pattern = entry[1], m;
      pattern.lastIndex = 0;
      while ((m = pattern.exec(text)) !== null) {
        if (m[0] === "") { pattern.lastIndex++; continue; }
        var group = 0;
        for (var g = m.length - 1; g > 0; g--) { if (m[g] !== undefined) { group = g; break; } }
        var value = m[group], start = m.index + m[0].indexOf(value);
        if (value && !placeholder.test(value)) {
          found.push({ kind: entry[0], start: start, end: start + value.length });
        }
      }
    });
    found.sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    var kept = [];
    found.forEach(function (s) { if (!kept.length || s.start >= kept[kept.length - 1].end) kept.push(s); });
    return kept;
  };

  Diagnoser.prototype.mask = function (text) {
    this.findSecrets(text).reverse().forEach(function (s) {
      var value = text.slice(s.start, s.end);
      var shown = value.length > 8 ? value.slice(0, 4) + "…" + value.slice(-2) : "…";
      text = text.slice(0, s.start) + shown + text.slice(s.end);
    });
    return text;
  };

  Diagnoser.prototype.extract = function (text) {
    text = codePoints(text, this.spec.max_chars);
    var values = {};
    for (var kind in this.extractors) {
      var list = this.extractors[kind];
      for (var i = 0; i < list.length; i++) {
        var m = list[i].exec(text);
        if (m && m[1] && m[1].trim()) {
          values[kind] = codePoints(this.mask(m[1].trim()), this.data.max_value);
          break;
        }
      }
    }
    return values;
  };

  /* ---- the page ------------------------------------------------------------------------ */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function template(rule, values, data, labels) {
    var byId = {};
    data.evidence.forEach(function (item) { byId[item.id] = item; });
    return rule.evidence.filter(function (id) { return byId[id]; }).map(function (id) {
      var item = byId[id];
      var value = item.extract && values[item.extract] ? values[item.extract] : "";
      var mark = item.sensitivity === "redact" ? labels.redact + " " : "";
      return item.label + labels.open + id + labels.close + mark + value;
    }).join("\n");
  }

  function render(box, diagnoser, text) {
    var labels = JSON.parse(box.getAttribute("data-labels"));
    var results = box.querySelector("#diagnose-results");
    var alert = box.querySelector(".tb-diagnose__secret");
    results.textContent = "";
    results.setAttribute("data-for-length", String(text.length));  // what the results answer
    var secrets = diagnoser.findSecrets(text);
    alert.hidden = secrets.length === 0;
    if (!text.trim()) return;
    var started = performance.now();
    var matches = diagnoser.rank(text, 3);
    var values = diagnoser.extract(text);
    window.triagebookDiagnose.lastMs = performance.now() - started;
    if (!matches.length) {
      results.appendChild(element("p", "tb-diagnose__none", labels.none));
      return;
    }
    var list = element("ol", "tb-results");
    matches.forEach(function (match) {
      var item = element("li", "tb-result");
      item.setAttribute("data-rule-id", match.rule.id);
      var title = element("a", "tb-result__title", match.rule.title);
      title.href = match.rule.url;
      item.appendChild(title);
      var why = match.reasons.map(function (r) {
        return (labels.kinds[r.kind] || r.kind) + " " + diagnoser.mask(r.text);
      });
      item.appendChild(element("p", "tb-result__why", labels.why + why.join(labels.separator)));
      var checklist = element("a", "tb-result__checklist", labels.checklist);
      checklist.href = match.rule.checklist;
      item.appendChild(checklist);
      var evidence = template(match.rule, values, diagnoser.data, labels);
      if (evidence) {
        var details = element("details", "tb-result__evidence");
        details.appendChild(element("summary", "", labels.evidence));
        var pre = element("pre");
        pre.appendChild(element("code", "", evidence));
        details.appendChild(pre);
        var copy = element("button", "md-button tb-copy", labels.copy);
        copy.type = "button";
        copy.addEventListener("click", function () {
          navigator.clipboard.writeText(evidence).then(function () { copy.textContent = labels.copied; });
        });
        details.appendChild(copy);
        item.appendChild(details);
      }
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  window.triagebookDiagnose = { Diagnoser: Diagnoser, lastMs: null, ready: null };

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector(".tb-diagnose");
    if (!box) return;
    var input = box.querySelector("#diagnose-input");
    // The index is fetched when the reader reaches for the box, before anything is in it:
    // diagnosing itself sends nothing, and a page view that never uses it costs nothing.
    function load() {
      if (!window.triagebookDiagnose.ready) {
        window.triagebookDiagnose.ready = fetch(box.getAttribute("data-index"))
          .then(function (response) { return response.json(); })
          .then(function (document) { return new Diagnoser(document.result); });
      }
      return window.triagebookDiagnose.ready;
    }
    window.triagebookDiagnose.load = load;
    ["focus", "pointerdown", "dragenter"].forEach(function (event) {
      input.addEventListener(event, load, { once: true });
    });
    function run() {
      load().then(function (diagnoser) {
        render(box, diagnoser, input.value);  // always the box's text now: no stale answer
      });
    }
    input.addEventListener("input", run);  // typing, pasting, the context menu, dropping text
    if (input.value) run();
  });
})();
