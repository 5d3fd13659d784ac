// Client-side search over the precomputed index (static/search-index.js): labels and synonyms.
(function () {
  "use strict";
  var index = window.NMDKG_SEARCH || [];
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  if (!input || !results) { return; }
  function fold(text) { return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }
  var entries = index.map(function (e) {
    return { label: e[0], synonyms: e[1], url: e[2], kind: e[3], keys: [fold(e[0])].concat(e[1].map(fold)) };
  });
  var order = { disorder: 0, treatment: 1, symptom: 2 };
  function search() {
    var words = fold(input.value.trim()).split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length) { return; }
    var found = [];
    entries.forEach(function (e) {
      var hit = -1;
      e.keys.forEach(function (key, i) {
        if (hit < 0 && words.every(function (w) { return key.indexOf(w) >= 0; })) { hit = i; }
      });
      if (hit >= 0) {
        var starts = e.keys[hit].indexOf(words[0]) === 0 ? 0 : 1;
        found.push({ e: e, rank: [order[e.kind], hit === 0 ? 0 : 1, starts, e.label.length], via: hit ? e.synonyms[hit - 1] : null });
      }
    });
    found.sort(function (a, b) {
      for (var i = 0; i < a.rank.length; i++) { if (a.rank[i] !== b.rank[i]) { return a.rank[i] - b.rank[i]; } }
      return a.e.label.localeCompare(b.e.label);
    });
    found.slice(0, 50).forEach(function (f) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = f.e.url;
      a.textContent = f.e.label;
      li.appendChild(a);
      var note = document.createElement("span");
      note.className = "count";
      note.textContent = " " + f.e.kind + (f.via ? " · also called " + f.via : "");
      li.appendChild(note);
      results.appendChild(li);
    });
    if (!found.length) {
      var none = document.createElement("li");
      none.textContent = "Nothing found.";
      results.appendChild(none);
    }
  }
  input.addEventListener("input", search);
  if (input.value) { search(); }
})();
