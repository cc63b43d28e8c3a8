// The measurement preview on the admin's update forms: "$106,500,000,000 = $106.5 billion" as the
// editor types, "106.5bn" understood, and a warning (with the confirmation box shown) when the value
// is more than ten times, or less than a tenth of, its target's last one. The server reads amounts
// the same way and refuses an unconfirmed jump (pledges/admin/amounts.py); this only shows it sooner.
(function () {
  "use strict";

  function settings() {
    var element = document.getElementById("measurement-preview");
    return element ? JSON.parse(element.textContent) : null;
  }

  // As pledges.admin.amounts.parse_amount: the later of "," and "." is the decimal mark; groups of three
  // after commas (or two or more after dots) are thousands; a scale word multiplies.
  function parse(text, words) {
    var match = /^([+-]?[0-9][0-9\s\u00a0\u202f,.'\u2019]*)\s*(\S*)$/.exec(text.trim().toLowerCase());
    if (!match || (match[2] && !Object.prototype.hasOwnProperty.call(words, match[2]))) return null;
    var digits = match[1].replace(/[\s\u00a0\u202f'\u2019]/g, "");
    // "1,234 млн" reads two ways, a thousand times apart: no preview (the server refuses it).
    if (match[2] && /^[+-]?\d{1,3},\d{3}$/.test(digits)) return null;
    if (digits.indexOf(",") >= 0 && digits.indexOf(".") >= 0) {
      var mark = digits.lastIndexOf(".") > digits.lastIndexOf(",") ? "." : ",";
      digits = digits.split(mark === "." ? "," : ".").join("").replace(mark, ".");
    } else if (/^\d{1,3}((,\d{3})+|(\.\d{3}){2,})$/.test(digits)) {
      digits = digits.replace(/[,.]/g, "");
    } else {
      digits = digits.replace(",", ".");
    }
    if (!/^[+-]?\d+(\.\d*)?$/.test(digits)) return null;
    return Number(digits) * Math.pow(10, match[2] ? words[match[2]] : 0);
  }

  function language() {
    return document.documentElement.lang || "en";
  }

  function number(value, fractionDigits) {
    return new Intl.NumberFormat(language(), { maximumFractionDigits: fractionDigits }).format(value);
  }

  function scaled(value, scales) {
    for (var i = 0; i < scales.length; i++) {
      var scale = Math.pow(10, Number(scales[i][0]));
      if (Math.abs(value) >= scale) return scales[i][1].replace("%(number)s", number(value / scale, 1));
    }
    return number(value, 2);
  }

  function written(unit, text) {
    return unit ? unit.written.replace("{value}", text) : text;
  }

  function confirmRow(input) {
    var form = input.closest(".inline-related") || input.form;
    return form ? form.querySelector(".field-confirm_jump") : null;
  }

  function show(input, data) {
    var output = input.parentNode.querySelector("output.amount-preview");
    if (!output) return;
    var select = document.getElementById(input.id.replace(/measurement_value$/, "target"));
    var targets = data.targets;
    var id = select && select.value ? select.value : "";
    if (!id && Object.keys(targets).length === 1) id = Object.keys(targets)[0];  // a one-target pledge
    var unit = targets[id] || null;
    var text = input.value.trim();
    var row = confirmRow(input);
    output.classList.remove("amount-warning");
    if (!text) {
      output.textContent = "";
      return;
    }
    var value = parse(text, data.words);
    if (value === null) {
      output.textContent = data.messages.invalid;
      output.classList.add("amount-warning");
      return;
    }
    var full = written(unit, number(value, 2));
    var short = written(unit, scaled(value, data.scales));
    var said = full === short ? full : full + " = " + short;
    var last = unit && unit.last ? Number(unit.last) : 0;
    var ratio = last && value ? Math.abs(value / last) : 1;
    if (ratio > data.jump || ratio * data.jump < 1) {
      said += ". " + (ratio > 1 ? data.messages.more : data.messages.less).replace("%(last)s", unit.last_text);
      output.classList.add("amount-warning");
      if (row) row.hidden = false;
    }
    output.textContent = said;
  }

  function showAll(data) {
    document.querySelectorAll("input.amount").forEach(function (input) {
      var row = confirmRow(input);
      // The confirmation is shown only when asked for: by the preview, or by the server's refusal.
      if (row && !row.querySelector("input:checked") && !input.closest(".errors")) row.hidden = true;
      show(input, data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = settings();
    if (!data) return;
    showAll(data);
    document.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches("input.amount")) show(event.target, data);
    });
    document.addEventListener("change", function (event) {
      var id = event.target.id || "";
      if (/target$/.test(id)) {
        var input = document.getElementById(id.replace(/target$/, "measurement_value"));
        if (input) show(input, data);
      }
    });
    // A row added with "Add another progress update" starts blank: hide its confirmation too.
    document.addEventListener("formset:added", function () { showAll(data); });
  });
})();
