/* Shows and hides questions and grid cells as the respondent answers, without a round trip.
 * Mirrors consultation/conditions.py: keep the two in step (tests pin both). */
(function () {
  "use strict";

  var COMPARISONS = ["eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "contains", "answered", "marked"];

  // An answer marked with a special value and given no value: {marked: "not_available"}.
  function markedStatus(value) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return null;
    var keys = Object.keys(value);
    return keys.length === 1 && keys[0] === "marked" ? String(value.marked) : null;
  }

  // Decimal digits of any script (Arabic-Indic U+0661, full-width U+FF11) as the ASCII digits
  // they stand for, as conditions.py reads them. Unicode encodes each script's digits 0 to 9 in a run of ten,
  // so a digit's value is its distance from the start of its run, modulo ten.
  var DIGIT = /\p{Nd}/u;
  var OTHER_DIGITS = /[^\x00-\x7f]/gu;
  function asciiDigits(text) {
    return text.replace(OTHER_DIGITS, function (char) {
      if (!DIGIT.test(char)) return char;
      var point = char.codePointAt(0), offset = 0;
      while (DIGIT.test(String.fromCodePoint(point - offset - 1))) offset++;
      return String(offset % 10);
    });
  }

  function isEmpty(value) {
    if (value === null || value === undefined || value === "") return true;
    if (Array.isArray(value)) return value.length === 0;
    return typeof value === "object" && Object.keys(value).length === 0;
  }

  // What conditions.py accepts as a number: ASCII digits, sign, point, exponent; nothing else.
  var NUMBER = /^([-+]?)(\d+\.?\d*|\.\d+)(?:[eE]([-+]?\d+))?$/;

  /* A number as {sign, digits, exponent} (value = sign * 0.digits * 10^exponent, digits without
   * leading or trailing zeros), so that comparisons are exact like Python's Decimal, whatever the
   * number of digits; null when the value is not a number. */
  function toNumber(value) {
    if (typeof value === "number") {
      if (!isFinite(value)) return null;
      value = String(value);
    }
    if (typeof value !== "string") return null;
    var match = NUMBER.exec(asciiDigits(value.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, "")));
    if (!match) return null;
    var parts = match[2].split(".");
    var whole = parts[0], fraction = parts[1] || "";
    var digits = (whole + fraction).replace(/^0+/, "");
    var leading = (whole + fraction).length - digits.length;
    digits = digits.replace(/0+$/, "");
    if (!digits) return { sign: 0, digits: "", exponent: 0 };
    var exponent = whole.length - leading + (match[3] ? parseInt(match[3], 10) : 0);
    return { sign: match[1] === "-" ? -1 : 1, digits: digits, exponent: exponent };
  }

  // -1, 0 or 1 as left is less than, equal to or greater than right.
  function compareNumbers(left, right) {
    if (left.sign !== right.sign) return left.sign < right.sign ? -1 : 1;
    if (left.sign === 0) return 0;
    var order = 0;
    if (left.exponent !== right.exponent) {
      order = left.exponent < right.exponent ? -1 : 1;
    } else if (left.digits !== right.digits) {
      var length = Math.max(left.digits.length, right.digits.length);
      var a = left.digits + "0".repeat(length - left.digits.length);
      var b = right.digits + "0".repeat(length - right.digits.length);
      order = a < b ? -1 : 1;
    }
    return left.sign * order;
  }

  function same(value, operand) {
    if (value === null || value === undefined || operand === null || operand === undefined) {
      return (value === null || value === undefined) && (operand === null || operand === undefined);
    }
    if (typeof value === "boolean" || typeof operand === "boolean") return value === operand;
    if (Array.isArray(value) || Array.isArray(operand)) {
      // A list (a multiple choice answer) equals only a list of the same values.
      return Array.isArray(value) && Array.isArray(operand) && value.length === operand.length &&
        value.every(function (item, index) { return same(item, operand[index]); });
    }
    var left = toNumber(value), right = toNumber(operand);
    if (left !== null && right !== null) return compareNumbers(left, right) === 0;
    return String(value) === String(operand);
  }

  function compare(value, operator, operand) {
    var status = markedStatus(value);
    if (operator === "marked") {
      var codes = Array.isArray(operand) ? operand : [operand];
      return status !== null && codes.map(String).indexOf(status) >= 0;
    }
    var answered = !isEmpty(value);
    // A special value answers a question, as required-ness and progress count it.
    if (operator === "answered") return answered === Boolean(operand);
    // Every other comparison sees a marked answer as having no value.
    if (status !== null) { value = null; answered = false; }
    if (markedStatus(operand) !== null) operand = null;
    switch (operator) {
      case "eq": return answered && same(value, operand);
      case "ne": return !(answered && same(value, operand));
      case "in": return answered && operand.some(function (item) { return same(value, item); });
      case "not_in": return !(answered && operand.some(function (item) { return same(value, item); }));
      case "contains": return Array.isArray(value) && value.some(function (item) { return same(item, operand); });
    }
    var left = toNumber(value), right = toNumber(operand);
    if (left === null || right === null) return false;
    var order = compareNumbers(left, right);
    return { gt: order > 0, ge: order >= 0, lt: order < 0, le: order <= 0 }[operator];
  }

  function Answers(form, context) {
    this.form = form;
    this.context = context || {};
  }

  // A question or cell hidden by its condition counts as unanswered for every other condition,
  // however long the chain: its inputs keep their value, so that showing it again restores it.
  function isHidden(input) {
    var question = input.closest("section.question");
    if (question && question.hidden) return true;
    var cell = input.closest(".cell");
    return Boolean(cell && cell.hidden);
  }

  Answers.prototype.get = function (question, row, column) {
    var value = this.valueOf(question, row, column);
    if (value !== null && value !== undefined) return value;
    // No value: a special value chosen instead ("not available") makes the answer marked.
    var name = [question, row, column].filter(Boolean).join(".") + ".status";
    var status = this.form.querySelector('[name="' + CSS.escape(name) + '"]');
    return status && status.value && !isHidden(status) ? { marked: status.value } : value;
  };

  Answers.prototype.valueOf = function (question, row, column) {
    var name = [question, row, column].filter(Boolean).join(".");
    var inputs = this.form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    if (!inputs.length && !row && !column) {
      // A ranking: the list of its ranks, in order (as conditions.py sees it).
      var ranks = this.form.querySelectorAll('select[name^="' + CSS.escape(question + ".rank") + '"]');
      if (ranks.length) {
        if (isHidden(ranks[0])) return null;
        var ranked = [];
        ranks.forEach(function (select) { if (select.value) ranked.push(select.value); });
        return ranked.length ? ranked : null;
      }
    }
    if (!inputs.length) {
      var key = [question, row || "", column || ""].join("|");
      return Object.prototype.hasOwnProperty.call(this.context, key) ? this.context[key] : null;
    }
    var first = inputs[0];
    if (isHidden(first)) return null;
    if (first.type === "radio") {
      for (var i = 0; i < inputs.length; i++) if (inputs[i].checked) return inputs[i].value;
      return null;
    }
    if (first.type === "checkbox") {
      if (inputs.length === 1 && first.value === "on") return first.checked ? true : null;
      var chosen = [];
      for (var j = 0; j < inputs.length; j++) if (inputs[j].checked) chosen.push(inputs[j].value);
      return chosen.length ? chosen : null;
    }
    return isEmpty(first.value) ? null : first.value;
  };

  Answers.prototype.rowsOf = function (question) {
    var rows = {};
    var table = this.form.querySelector('table[data-grid="' + CSS.escape(question) + '"]');
    if (table) {
      table.querySelectorAll("tr[data-row]").forEach(function (tr) { rows[tr.dataset.row] = true; });
    }
    Object.keys(this.context).forEach(function (key) {
      var parts = key.split("|");
      if (parts[0] === question && parts[1]) rows[parts[1]] = true;
    });
    return Object.keys(rows);
  };

  function resolve(node, answers, grid, row) {
    if ("question" in node) return answers.get(node.question, "", "");
    if ("cell" in node) {
      var parts = String(node.cell).split(".");
      return answers.get(parts[0], parts[1], parts[2]);
    }
    return answers.get(grid, row, node.column);
  }

  function operandOf(operand, answers, grid, row) {
    return operand !== null && typeof operand === "object" && !Array.isArray(operand)
      ? resolve(operand, answers, grid, row) : operand;
  }

  function evaluate(condition, answers, grid, row) {
    if (!condition || !Object.keys(condition).length) return true;
    if (condition.all) return condition.all.every(function (part) { return evaluate(part, answers, grid, row); });
    if (condition.any) return condition.any.some(function (part) { return evaluate(part, answers, grid, row); });
    if (condition.not) return !evaluate(condition.not, answers, grid, row);
    var operator = COMPARISONS.filter(function (key) { return key in condition; })[0];
    var operand = condition[operator];
    if ("any_row" in condition) {
      return answers.rowsOf(condition.any_row).some(function (gridRow) {
        return compare(answers.get(condition.any_row, gridRow, condition.column), operator,
          operandOf(operand, answers, condition.any_row, gridRow));
      });
    }
    return compare(resolve(condition, answers, grid, row), operator, operandOf(operand, answers, grid, row));
  }

  /* Questions in page order, which is questionnaire order: a condition only names earlier
   * questions, so each is settled before any later condition reads it. */
  function apply(form, answers) {
    form.querySelectorAll("section.question").forEach(function (section) {
      if (section.dataset.showIf) {
        var shown = evaluate(JSON.parse(section.dataset.showIf), answers, "", "");
        if (section.dataset.derivedFrom && !section.querySelector("tr[data-row]")) shown = false;
        section.hidden = !shown;
      }
      if (section.hidden) return;
      var cells = section.querySelectorAll("td[data-show-if]");
      // A column may name a later column of its row: go over the cells until nothing moves.
      for (var round = 0; round <= cells.length; round++) {
        var moved = false;
        cells.forEach(function (cell) {
          var content = cell.querySelector(".cell");
          if (!content) return;
          var grid = cell.closest("table").dataset.grid;
          var row = cell.closest("tr").dataset.row;
          var hidden = !evaluate(JSON.parse(cell.dataset.showIf), answers, grid, row);
          if (content.hidden !== hidden) { content.hidden = hidden; moved = true; }
        });
        if (!moved) break;
      }
    });
  }

  function exclusiveOptions(event) {
    var input = event.target;
    if (input.type !== "checkbox" || !input.checked) return;
    var group = input.form.querySelectorAll('input[type="checkbox"][name="' + CSS.escape(input.name) + '"]');
    group.forEach(function (other) {
      if (other === input) return;
      if (input.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) other.checked = false;
    });
  }

  function start() {
    var form = document.querySelector("form[data-questionnaire]");
    if (!form) return;
    var contextNode = document.getElementById("context-answers");
    var context = contextNode ? JSON.parse(contextNode.textContent) : {};
    var answers = new Answers(form, context);
    form.addEventListener("change", function (event) { exclusiveOptions(event); apply(form, answers); });
    form.addEventListener("input", function () { apply(form, answers); });
    apply(form, answers);
  }

  window.Conditions = { evaluate: evaluate, Answers: Answers, apply: apply };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
