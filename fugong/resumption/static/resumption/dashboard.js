/* The dashboard's three charts, drawn from the JSON the server puts in #dashboard-data.
   Re-drawn after each HTMX swap of the dashboard (a new "as of" moment). */
(function () {
  "use strict";
  var charts = [];

  /* As the tables write rates: one decimal, and 100% only when complete (99.96% is "99.9%"). */
  function percent(value) {
    if (value === null || value === undefined) { return "—"; }
    if (value >= 100) { return "100%"; }
    var shown = Math.round(value * 10) / 10;
    if (shown >= 100) { shown = 99.9; }
    if (value > 0 && shown <= 0) { shown = 0.1; }
    return shown.toFixed(1) + "%";
  }

  function draw() {
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var labels = { resumption: document.documentElement.lang === "en" ? "Resumption rate" : "复工率",
                   workforce: document.documentElement.lang === "en" ? "Workforce return rate" : "用工复工率" };

    var categories = echarts.init(document.getElementById("chart-categories"));
    categories.setOption({
      tooltip: { trigger: "axis", valueFormatter: percent, renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 40, right: 10, top: 30, bottom: 50 },
      xAxis: { type: "category", data: data.categories.map(function (c) { return c.label; }),
               axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { name: labels.resumption, type: "bar", data: data.categories.map(function (c) { return c.resumption_rate; }) },
        { name: labels.workforce, type: "bar", data: data.categories.map(function (c) { return c.workforce_return_rate; }) }
      ]
    });
    charts.push(categories);

    var trend = echarts.init(document.getElementById("chart-trend"));
    var lines = [
      { name: labels.resumption, type: "line", data: data.series.resumption_rate, lineStyle: { width: 3 } },
      { name: labels.workforce, type: "line", data: data.series.workforce_return_rate, lineStyle: { width: 3, type: "dashed" } }
    ];
    Object.keys(data.series.by_category).forEach(function (name) {
      lines.push({ name: name, type: "line", data: data.series.by_category[name], symbol: "none",
                   lineStyle: { width: 1 } });
    });
    trend.setOption({
      tooltip: { trigger: "axis", valueFormatter: percent, renderMode: "richText" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 10, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.series.labels },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: lines
    });
    charts.push(trend);

    var areas = echarts.init(document.getElementById("chart-areas"));
    areas.setOption({
      tooltip: { trigger: "axis", valueFormatter: percent, renderMode: "richText" },
      grid: { left: 90, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.areas.map(function (a) { return a.name; }) },
      series: [{ name: labels.resumption, type: "bar",
                 data: data.areas.map(function (a) { return a.resumption_rate; }),
                 label: { show: true, position: "right", formatter: function (p) { return percent(p.value); } } }]
    });
    charts.push(areas);
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.addEventListener("DOMContentLoaded", draw);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "dashboard") { draw(); }
  });
})();
