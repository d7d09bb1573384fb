/* triagebook: a checklist keeps its ticks across reloads, in this browser only
 * (localStorage, one key per page), and offers a button that clears them. Without
 * scripts (or storage) the boxes still tick; they just start empty each time. The
 * button's words come from the page (data-labels), not from here. */
(function () {
  "use strict";

  function storage() {
    try {
      var probe = "triagebook:probe";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;  // private mode, disabled storage, a sandboxed frame
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector(".tb-checklist");
    var store = storage();
    if (!list || !store) return;
    var labels = JSON.parse(list.getAttribute("data-labels"));
    var key = "triagebook:checklist:" + window.location.pathname;
    var boxes = Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox]"));

    var saved = [];
    try { saved = JSON.parse(store.getItem(key) || "[]"); } catch (e) { saved = []; }
    boxes.forEach(function (box) { box.checked = saved.indexOf(box.name) >= 0; });

    var bar = document.createElement("p");
    bar.className = "tb-checklist__bar";
    var progress = document.createElement("span");
    progress.setAttribute("aria-live", "polite");
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "md-button tb-checklist__reset";
    reset.textContent = labels.reset;
    bar.appendChild(progress);
    bar.appendChild(reset);
    list.parentNode.insertBefore(bar, list.nextSibling);

    function update() {
      var done = boxes.filter(function (box) { return box.checked; });
      progress.textContent = labels.progress.replace("{done}", done.length).replace("{total}", boxes.length);
      reset.disabled = done.length === 0;
      if (done.length) {
        store.setItem(key, JSON.stringify(done.map(function (box) { return box.name; })));
      } else {
        store.removeItem(key);
      }
    }
    list.addEventListener("change", update);
    reset.addEventListener("click", function () {
      boxes.forEach(function (box) { box.checked = false; });
      update();
      boxes[0].focus();
    });
    update();
  });
})();
