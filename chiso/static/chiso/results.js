// The rankings page: sort by any column, filter by old district, kind and recognition.
(function () {
  "use strict";
  var table = document.getElementById("ranking");
  if (!table) return;
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;

  function key(row, column, numeric) {
    var text = row.cells[column].getAttribute("data-key") || "";
    if (!numeric) return text;
    var number = parseFloat(text);
    return isNaN(number) ? null : number;
  }

  function sortBy(column) {
    var head = heads[column];
    var numeric = head.getAttribute("data-sort") === "num";
    var ascending = head.getAttribute("aria-sort") !== "ascending";
    var collator = new Intl.Collator("vi");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, column, numeric), y = key(b, column, numeric);
      if (x === null || y === null) return x === y ? 0 : (x === null ? 1 : -1);  // no value: last
      var order = numeric ? x - y : collator.compare(x, y);
      return ascending ? order : -order;
    });
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute("aria-sort");
    head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
  }

  Array.prototype.forEach.call(heads, function (head, column) {
    var button = head.querySelector("button");
    if (button) button.addEventListener("click", function () { sortBy(column); });
  });

  var form = document.getElementById("filters");
  var shown = document.getElementById("shown");
  function filter() {
    var district = form.elements.district ? form.elements.district.value : "";
    var kind = form.elements.kind ? form.elements.kind.value : "";
    var recognized = form.elements.recognized ? form.elements.recognized.value : "";
    var count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var ok = (!district || row.getAttribute("data-district").split("|").indexOf(district) >= 0) &&
        (!kind || row.getAttribute("data-kind") === kind) &&
        (!recognized || row.getAttribute("data-recognized") === recognized);
      row.hidden = !ok;
      if (ok) count++;
    });
    shown.textContent = (district || kind || recognized) ? count + " / " + body.rows.length : "";
  }
  if (form) form.addEventListener("change", filter);
})();
