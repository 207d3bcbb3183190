// What-if page: sends the changed numbers as JSON, shows the recomputed ranking.
// No eval, no inline script: the first answer comes from a json_script block.
(function () {
  "use strict";
  var form = document.getElementById("what-if");
  if (!form) return;
  var english = (document.documentElement.lang || "vi").indexOf("en") === 0;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var error = document.getElementById("what-if-error");
  var keep = document.querySelector("#what-if-keep input[name=changes]");

  function readNumber(text) {
    var t = String(text).trim().replace(/\s/g, "");
    if (t === "") return null;
    if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(t)) return NaN;
    return parseFloat(t.replace(",", "."));
  }
  function showNumber(x, digits) {
    var text = x.toFixed(digits);
    return english ? text : text.replace(".", ",");
  }
  function text(node, value) { node.textContent = value; return node; }

  function changes() {
    var out = { points: {}, score: {}, recognition: {}, values: {} };
    var bad = [];
    form.querySelectorAll("input[data-points]").forEach(function (input) {
      var x = readNumber(input.value);
      if (x === null || isNaN(x)) { bad.push(input); return; }
      if (x !== readNumber(input.defaultValue)) out.points[input.dataset.points] = x;
    });
    form.querySelectorAll("input[data-score]").forEach(function (input) {
      var x = readNumber(input.value);
      if (x === null || isNaN(x)) { bad.push(input); return; }
      if (x !== readNumber(input.defaultValue)) {
        (out.score[input.dataset.score] = out.score[input.dataset.score] || {})[input.dataset.key] = x;
      }
    });
    form.querySelectorAll("[data-recognition]").forEach(function (input) {
      var key = input.dataset.recognition;
      if (input.type === "checkbox") {
        if (input.checked !== input.defaultChecked) out.recognition[key] = input.checked;
        return;
      }
      var x = readNumber(input.value);
      if (x === null || isNaN(x)) { bad.push(input); return; }
      if (x !== readNumber(input.defaultValue)) out.recognition[key] = x;
    });
    var unit = form.querySelector("[data-value-unit]").value;
    var code = form.querySelector("[data-value-code]").value.trim();
    var figure = form.querySelector("[data-value-figure]");
    if (unit && code) {
      var y = readNumber(figure.value);
      if (y !== null && isNaN(y)) bad.push(figure);
      else { out.values[unit] = {}; out.values[unit][code] = y; }
    }
    form.querySelectorAll("input").forEach(function (input) { input.removeAttribute("aria-invalid"); });
    bad.forEach(function (input) { input.setAttribute("aria-invalid", "true"); });
    return bad.length ? null : out;
  }

  function names(list) {
    return list.length ? list.map(function (u) { return u.name; }).join("; ") : "–";
  }

  function render(answer) {
    text(document.getElementById("what-if-summary"),
      (english ? "Recognized: " : "Được công nhận: ") + answer.recognized_before + " → " + answer.recognized_after +
      (english ? " of " : " trên ") + answer.units);
    var scale = document.getElementById("what-if-scale");
    scale.hidden = !answer.scale_text;
    text(scale, answer.scale_text || "");
    text(document.getElementById("what-if-gained"), names(answer.gained));
    text(document.getElementById("what-if-lost"), names(answer.lost));
    var body = document.getElementById("what-if-rows");
    var rows = document.createDocumentFragment();
    answer.rows.forEach(function (row) {
      var tr = document.createElement("tr");
      if (row.recognized_after && !row.recognized_before) tr.className = "gained";
      if (row.recognized_before && !row.recognized_after) tr.className = "lost";
      var rank = document.createElement("td");
      rank.className = "num";
      text(rank, String(row.rank_after));
      var moved = row.rank_before - row.rank_after;
      if (moved) {
        var arrow = document.createElement("span");
        arrow.className = moved > 0 ? "up" : "down";
        text(arrow, (moved > 0 ? " ▲" : " ▼") + Math.abs(moved));
        rank.appendChild(arrow);
      }
      tr.appendChild(rank);
      tr.appendChild(text(document.createElement("td"), row.name));
      var value = text(document.createElement("td"), showNumber(row.value_after, 4));
      value.className = "num";
      tr.appendChild(value);
      var before = text(document.createElement("td"), showNumber(row.value_before, 4) + " (" + row.rank_before + ")");
      before.className = "num muted";
      tr.appendChild(before);
      var yes = english ? "yes" : "đạt";
      tr.appendChild(text(document.createElement("td"),
        row.recognized_after === null ? "–" : (row.recognized_after ? yes : "–")));
      rows.appendChild(tr);
    });
    body.replaceChildren(rows);
  }

  var timer = null;
  var sent = 0;
  function recompute() {
    var body = changes();
    if (!body) {
      error.hidden = false;
      text(error, english ? "Write numbers only (a decimal comma is fine)." : "Chỉ nhập số (có thể dùng dấu phẩy thập phân).");
      return;
    }
    keep.value = JSON.stringify(body);
    var mine = ++sent;
    fetch(form.dataset.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (reply) {
      if (mine !== sent) return;  // a newer request is on its way
      if (!reply.ok) {
        error.hidden = false;
        text(error, reply.data.problems.map(function (p) { return (p.where ? p.where + ": " : "") + p.message; }).join("; "));
        return;
      }
      error.hidden = true;
      render(reply.data);
    });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(recompute, 200);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); recompute(); });
  render(JSON.parse(document.getElementById("what-if-start").textContent));
})();
