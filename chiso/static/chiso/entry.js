/* The data-entry page: checks figures as the officer types and asks the server for a
 * live preview of the score. No framework, no eval: the framework's rules arrive as
 * parsed expression trees in the JSON block #entry-config, and scores are computed on
 * the server by the same engine that computes the official results. */
(function () {
  "use strict";

  var configNode = document.getElementById("entry-config");
  var form = document.getElementById("entry-form");
  if (!configNode || !form) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var csrfField = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfField ? csrfField.value : "";

  // The same words and number shapes chiso.engine.coerce_value accepts.
  var NUMBER = /^[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?$/;
  // A whole number with thousands separators ("1.000"), refused as the server does
  // (chiso.engine.coerce_value, for integer inputs) rather than read as 1.
  var GROUPED_THOUSANDS = /^[+-]?[0-9]{1,3}(?:[.,][0-9]{3})+$/;
  var YES = ["1", "true", "yes", "có", "đạt"];
  var NO = ["0", "false", "no", "không", "không đạt"];
  var RULE_TOLERANCE = 1e-9;
  var PREVIEW_DELAY_MS = 400;

  function fieldOf(code) {
    return document.getElementById("f-" + code);
  }

  /* Read one field: {value: number (NaN when empty), error: message or null}. */
  function read(code) {
    var field = fieldOf(code);
    var type = config.types[code];
    var text = field ? String(field.value).trim() : "";
    if (text === "") {
      return { value: NaN, error: null };
    }
    if (type === "boolean") {
      var word = text.normalize("NFC").toLowerCase().split(/\s+/).join(" ");
      if (YES.indexOf(word) >= 0) {
        return { value: 1, error: null };
      }
      if (NO.indexOf(word) >= 0) {
        return { value: 0, error: null };
      }
      return { value: NaN, error: config.text.boolean };
    }
    var typed = text;
    if (type === "percent" && text.charAt(text.length - 1) === "%") {
      text = text.slice(0, -1).trim();
    }
    if (type === "integer" && GROUPED_THOUSANDS.test(text)) {
      return { value: NaN, error: config.text.integer };
    }
    if (!NUMBER.test(text)) {
      return { value: NaN, error: config.text.number };
    }
    var value = parseFloat(text.replace(",", "."));
    if (!isFinite(value)) {
      return { value: NaN, error: config.text.number };
    }
    if (type === "integer" && Math.floor(value) !== value) {
      return { value: NaN, error: config.text.integer };
    }
    if (type === "percent" && (value < 0 || value > 100)) {
      return { value: NaN, error: config.text.percent };
    }
    // The framework's min/max, refused in the server's own words (the server decides).
    var bounds = config.bounds[code];
    if (
      bounds &&
      ((bounds.min !== null && value < bounds.min) || (bounds.max !== null && value > bounds.max))
    ) {
      return { value: NaN, error: bounds.message.split("{text}").join(typed) };
    }
    return { value: value, error: null };
  }

  /* Evaluate a parsed expression; NaN stands for a missing figure or a division by zero. */
  function evaluate(node, values) {
    if (typeof node === "number") {
      return node;
    }
    if (node.name !== undefined) {
      return Object.prototype.hasOwnProperty.call(values, node.name) ? values[node.name] : NaN;
    }
    var args = node.args.map(function (arg) {
      return evaluate(arg, values);
    });
    var result;
    switch (node.op) {
      case "neg":
        result = -args[0];
        break;
      case "+":
        result = args[0] + args[1];
        break;
      case "-":
        result = args[0] - args[1];
        break;
      case "*":
        result = args[0] * args[1];
        break;
      case "/":
        result = args[1] === 0 ? NaN : args[0] / args[1];
        break;
      case "min":
      case "max":
        result = args.some(isNaN) ? NaN : Math[node.op].apply(null, args);
        break;
      default:
        result = NaN;
    }
    return isFinite(result) ? result : NaN;
  }

  /* Whether a rule is broken; a rule with a missing side is not checked. */
  function broken(rule, values) {
    var left = evaluate(rule.left, values);
    var right = evaluate(rule.right, values);
    if (isNaN(left) || isNaN(right)) {
      return false;
    }
    var tolerance = RULE_TOLERANCE * Math.max(1, Math.abs(left), Math.abs(right));
    switch (rule.op) {
      case "<=":
        return !(left <= right + tolerance);
      case "<":
        return !(left < right - tolerance);
      case ">=":
        return !(left >= right - tolerance);
      case ">":
        return !(left > right + tolerance);
      case "==":
        return !(Math.abs(left - right) <= tolerance);
      default:
        return !(Math.abs(left - right) > tolerance);
    }
  }

  function showErrors(code, messages) {
    var list = document.getElementById("err-" + code);
    var field = fieldOf(code);
    if (!list || !field) {
      return;
    }
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    if (messages.length) {
      field.setAttribute("aria-invalid", "true");
    } else {
      field.removeAttribute("aria-invalid");
    }
  }

  /* Check every field and rule; returns whether everything is fine. */
  function check() {
    var values = {};
    var messages = {};
    Object.keys(config.types).forEach(function (code) {
      var found = read(code);
      values[code] = found.value;
      messages[code] = found.error ? [found.error] : [];
    });
    config.rules.forEach(function (rule) {
      if (broken(rule, values)) {
        rule.codes.forEach(function (code) {
          if (messages[code]) {
            messages[code].push(rule.message);
          }
        });
      }
    });
    var ok = true;
    Object.keys(messages).forEach(function (code) {
      showErrors(code, messages[code]);
      ok = ok && messages[code].length === 0;
    });
    return ok;
  }

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node && text !== undefined && node.textContent !== text) {
      node.textContent = text;
    }
  }

  function showPreview(data) {
    setText("pv-value", data.value);
    setText("pv-points", data.points);
    setText("pv-points-bar", data.points);
    setText("pv-recognized", data.recognized_text);
    Object.keys(data.nodes).forEach(function (code) {
      setText("earned-" + code, data.nodes[code].earned);
      setText("raw-" + code, data.nodes[code].raw);
    });
  }

  var timer = null;
  var pending = null;

  function requestPreview() {
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    fetch(config.preview, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      credentials: "same-origin",
      signal: pending.signal,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        pending = null;
        showPreview(data);
        form.classList.remove("preview-failed");
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        pending = null;
        form.classList.add("preview-failed");
        setText("pv-recognized", config.text.failed);
      });
  }

  var dirty = false;

  function changed(event) {
    // A file chosen at an indicator belongs to its own upload form, not to the figures.
    if (event && event.target && event.target.form !== form) {
      return;
    }
    dirty = true;
    check();
    window.clearTimeout(timer);
    timer = window.setTimeout(requestPreview, PREVIEW_DELAY_MS);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // Saving or submitting leaves the page on purpose: no "unsaved figures" question.
  // (Empty figures at submission are named by the page itself, beside the button.)
  form.addEventListener("submit", function () {
    dirty = false;
  });

  // Removing a file asks first: on a small screen the wrong "Remove" is easy to tap.
  Array.prototype.forEach.call(
    document.querySelectorAll("form[id^='remove-']"),
    function (removal) {
      removal.addEventListener("submit", function (event) {
        if (!window.confirm(config.text.remove)) {
          event.preventDefault();
        }
      });
    }
  );

  // Leaving the page with figures typed but not saved asks first.
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
