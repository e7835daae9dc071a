/* Shows and hides questions and grid cells as the respondent answers, without a round trip.
 * Mirrors consultation/conditions.py: keep the two in step (tests pin both). */
(function () {
  "use strict";

  var COMPARISONS = ["eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "contains", "answered"];

  function isEmpty(value) {
    return value === null || value === undefined || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  function toNumber(value) {
    if (value === null || value === undefined || value === "" || typeof value === "boolean") return null;
    var text = String(value).trim();
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
    return Number(text);
  }

  function same(value, operand) {
    if (typeof value === "boolean" || typeof operand === "boolean") return value === operand;
    var left = toNumber(value), right = toNumber(operand);
    if (left !== null && right !== null) return left === right;
    return String(value) === String(operand);
  }

  function compare(value, operator, operand) {
    var answered = !isEmpty(value);
    switch (operator) {
      case "answered": return answered === Boolean(operand);
      case "eq": return answered && same(value, operand);
      case "ne": return !(answered && same(value, operand));
      case "in": return answered && operand.some(function (item) { return same(value, item); });
      case "not_in": return !(answered && operand.some(function (item) { return same(value, item); }));
      case "contains": return Array.isArray(value) && value.some(function (item) { return same(item, operand); });
    }
    var left = toNumber(value), right = toNumber(operand);
    if (left === null || right === null) return false;
    return { gt: left > right, ge: left >= right, lt: left < right, le: left <= right }[operator];
  }

  function Answers(form, context) {
    this.form = form;
    this.context = context || {};
  }

  Answers.prototype.get = function (question, row, column) {
    var name = [question, row, column].filter(Boolean).join(".");
    var inputs = this.form.querySelectorAll('[name="' + CSS.escape(name) + '"]');
    if (!inputs.length) {
      var key = [question, row || "", column || ""].join("|");
      return Object.prototype.hasOwnProperty.call(this.context, key) ? this.context[key] : null;
    }
    var first = inputs[0];
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

  function apply(form, answers) {
    form.querySelectorAll("section.question[data-show-if]").forEach(function (section) {
      var shown = evaluate(JSON.parse(section.dataset.showIf), answers, "", "");
      if (section.dataset.derivedFrom && !section.querySelector("tr[data-row]")) shown = false;
      section.hidden = !shown;
    });
    form.querySelectorAll("td[data-show-if]").forEach(function (cell) {
      var grid = cell.closest("table").dataset.grid;
      var row = cell.closest("tr").dataset.row;
      var content = cell.querySelector(".cell");
      if (content) content.hidden = !evaluate(JSON.parse(cell.dataset.showIf), answers, grid, row);
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
