// The dashboard's charts, drawn as SVG from the figures the page carries (the same figures are
// in the tables beside them, which screen readers and printouts use).
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = ["#c8ced6", "#f0b429", "#2f80c2", "#2e9d5b", "#7b5ea7", "#b33a3a"];
  var source = document.getElementById("dashboard-chart-data");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);

  function node(name, attributes, text) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    if (text !== undefined) { element.textContent = text; }
    return element;
  }

  function regions(target) {
    var rows = data.regions;
    var labelWidth = 170, width = 560, barHeight = 22, gap = 8, legend = 28;
    var height = legend + rows.length * (barHeight + gap) + 4;
    var most = Math.max.apply(null, rows.map(function (r) {
      return r.counts.reduce(function (a, b) { return a + b; }, 0);
    }).concat([1]));
    var svg = node("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img" });
    data.statuses.forEach(function (status, index) {
      var x = index * 130;
      svg.appendChild(node("rect", { x: x, y: 4, width: 12, height: 12, fill: COLOURS[index % COLOURS.length] }));
      svg.appendChild(node("text", { x: x + 16, y: 14, "font-size": 12 }, status));
    });
    rows.forEach(function (row, index) {
      var y = legend + index * (barHeight + gap);
      svg.appendChild(node("text", { x: 0, y: y + 15, "font-size": 12 }, row.name));
      var x = labelWidth;
      row.counts.forEach(function (count, statusIndex) {
        if (!count) { return; }
        var w = (width - labelWidth - 30) * count / most;
        var bar = node("rect", { x: x, y: y, width: w, height: barHeight, fill: COLOURS[statusIndex % COLOURS.length] });
        bar.appendChild(node("title", {}, row.name + ": " + data.statuses[statusIndex] + " " + count));
        svg.appendChild(bar);
        x += w;
      });
      var total = row.counts.reduce(function (a, b) { return a + b; }, 0);
      svg.appendChild(node("text", { x: x + 4, y: y + 15, "font-size": 12 }, String(total)));
    });
    target.appendChild(svg);
  }

  function submissions(target) {
    var points = data.submissions;
    if (!points.length) { return; }
    var width = 560, height = 200, left = 40, bottom = 30, top = 10;
    var most = points[points.length - 1].total || 1;
    var first = Date.parse(points[0].date), last = Date.parse(points[points.length - 1].date);
    var span = Math.max(last - first, 1);
    function xOf(date) { return left + (width - left - 10) * (Date.parse(date) - first) / span; }
    function yOf(total) { return top + (height - top - bottom) * (1 - total / most); }
    var svg = node("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img" });
    svg.appendChild(node("line", { x1: left, y1: height - bottom, x2: width - 10, y2: height - bottom, stroke: "#666" }));
    svg.appendChild(node("line", { x1: left, y1: top, x2: left, y2: height - bottom, stroke: "#666" }));
    svg.appendChild(node("text", { x: 0, y: top + 10, "font-size": 12 }, String(most)));
    svg.appendChild(node("text", { x: left, y: height - 8, "font-size": 12 }, points[0].date));
    svg.appendChild(node("text", { x: width - 90, y: height - 8, "font-size": 12 }, points[points.length - 1].date));
    var path = "M" + xOf(points[0].date) + " " + yOf(0);
    points.forEach(function (point) {
      path += " L" + xOf(point.date) + " " + yOf(point.total - point.count) + " L" + xOf(point.date) + " " + yOf(point.total);
    });
    svg.appendChild(node("path", { d: path, fill: "none", stroke: COLOURS[2], "stroke-width": 2 }));
    target.appendChild(svg);
  }

  var regionsTarget = document.getElementById("chart-regions");
  var submissionsTarget = document.getElementById("chart-submissions");
  if (regionsTarget) { regions(regionsTarget); }
  if (submissionsTarget) { submissions(submissionsTarget); }
})();
